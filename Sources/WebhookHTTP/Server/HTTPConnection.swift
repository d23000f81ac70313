/// Identifies a connection from any thread: its descriptor and a generation, since descriptors are reused.
struct ConnectionID: Hashable, Sendable {
    var descriptor: Int32
    var generation: UInt32

    /// The epoll tag of the connection.
    var tag: UInt64 { UInt64(generation) << 32 | UInt64(UInt32(bitPattern: descriptor)) }

    init(descriptor: Int32, generation: UInt32) {
        self.descriptor = descriptor
        self.generation = generation
    }

    init(tag: UInt64) {
        self.descriptor = Int32(bitPattern: UInt32(truncatingIfNeeded: tag))
        self.generation = UInt32(truncatingIfNeeded: tag >> 32)
    }
}

/// The I/O state of one accepted connection: its socket, its protocol state machine, and its buffers.
///
/// Confined to the event loop that accepted it. An idle connection holds no buffer: bytes are read into the
/// loop's shared read buffer and parsed there; only bytes that must wait (pipelined requests behind a
/// response in progress) are copied into ``input``, and only unwritten response bytes into ``output``.
final class HTTPConnection {
    let socket: Socket
    let id: ConnectionID
    /// The peer's IP address as text.
    let remoteAddress: String
    var machine: HTTPConnectionStateMachine
    /// What the preflight of the request in progress learnt (its route, its admission), for its `respond`.
    var context: HTTPRequestContext

    /// Received bytes not parsed yet, from ``inputStart``.
    var input: [UInt8] = []
    var inputStart = 0
    /// Response bytes not written yet, from ``outputStart``.
    var output: [UInt8] = []
    var outputStart = 0
    /// The last parse returned an event, so the parser may have another one even without new bytes.
    var parserMayHaveEvent = false
    /// Edge-triggered epoll said readable and the socket has not been read empty since.
    var mightBeReadable = true

    init(socket: Socket, id: ConnectionID, remoteAddress: String, machine: HTTPConnectionStateMachine) {
        self.socket = socket
        self.id = id
        self.remoteAddress = remoteAddress
        self.machine = machine
        self.context = HTTPRequestContext(remoteAddress: remoteAddress)
    }

    var hasBufferedInput: Bool { inputStart < input.count }
    var hasPendingOutput: Bool { outputStart < output.count }

    /// Keeps `bytes` for later parsing (after the buffered ones).
    func buffer(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if inputStart > 0 && inputStart == input.count {
            input.removeAll(keepingCapacity: true)
            inputStart = 0
        }
        input.append(contentsOf: bytes)
    }

    /// Drops `count` parsed bytes from the front of ``input``; frees the buffer once it is empty.
    func consumeInput(_ count: Int) {
        inputStart += count
        if inputStart >= input.count {
            input = []
            inputStart = 0
        }
    }
}
