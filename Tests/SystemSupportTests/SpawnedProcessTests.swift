import Glibc
import SystemSupport
import Testing

@Suite struct SpawnedProcessTests {
    /// The child gets exactly the environment and working directory asked for, and its exit code is read back.
    @Test func runsAProgramInItsDirectoryWithItsEnvironment() throws {
        let pipe = try PipeDescriptors()
        let child = try SpawnedProcess(
            arguments: ["sh", "-c", "printf '%s %s' \"$PWD\" \"$ONLY\"; exit 7"],
            environment: ["ONLY=this", "PATH=/usr/bin:/bin"],
            directory: "/tmp",
            standardOutput: .descriptor(pipe.writeEnd)
        )
        close(pipe.writeEnd)
        let output = try DescriptorIO.readToEnd(pipe.readEnd)
        close(pipe.readEnd)
        let status = try #require(child.wait(timeout: .seconds(10)))
        #expect(SpawnedProcess.exitCode(ofWaitStatus: status) == 7)
        #expect(child.exitCode == 7)
        #expect(!child.isRunning)
        #expect(!child.isLost)
        #expect(String(decoding: output, as: UTF8.self) == "/tmp this")
    }

    /// A child ended by a signal reports 128 + the signal, as a shell does; once reaped, `send` is a no-op.
    @Test func aSignalledChildReportsTheSignal() throws {
        let child = try SpawnedProcess(arguments: ["sleep", "30"], environment: ["PATH=/usr/bin:/bin"])
        #expect(child.isRunning)
        #expect(child.wait(timeout: .milliseconds(50)) == nil)
        child.send(signal: SIGKILL)
        #expect(child.wait(timeout: .seconds(10)) != nil)
        #expect(child.exitCode == 128 + SIGKILL)
        child.send(signal: SIGKILL) // reaped: nothing is sent to a pid that may have been reused
    }

    /// A missing program is a thrown error naming it, not a child that exits 127.
    @Test func aMissingProgramThrows() {
        #expect(throws: SystemError.self) {
            _ = try SpawnedProcess(arguments: ["/nonexistent/program"], environment: [])
        }
    }
}
