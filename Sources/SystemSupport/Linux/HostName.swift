import Glibc

/// This machine's host name (`gethostname`), or nil when it cannot be read.
package enum HostName {
    package static var current: String? {
        var name = [UInt8](repeating: 0, count: 256)
        let isNamed = name.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, $0.count - 1) == 0 }
        }
        return isNamed ? String(decoding: name.prefix { $0 != 0 }, as: UTF8.self) : nil
    }
}
