/// The `kyc-webhooks` command line (SPEC §2). `main.swift` only calls ``run(_:)``.
public enum CommandLineTool {
    /// Runs the command named by `arguments` (without the program name) and returns the exit code:
    /// 0 success, 1 runtime failure, 2 usage or configuration error.
    public static func run(_ arguments: [String]) async -> Int32 {
        0
    }
}
