import Foundation
import Testing
import TrawlTestSite

/// Runs the built `trawl` binary and captures what it printed.
struct TrawlProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        /// When the process was seen to exit, on the waiting thread: a task resumed later (its threads can be
        /// busy for seconds in a full suite) would read the clock late.
        var ended = Date()

        /// Every stdout line, each parsed as one JSON object (fails the test if any line is not).
        func records() throws -> [[String: Any]] {
            try stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
                try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            }
        }
    }

    /// The `trawl` executable beside the test bundle.
    static var executable: URL {
        #if canImport(Darwin)
            // The main bundle there is the toolchain's test runner, which loads the `.xctest` bundle.
            var directory = Bundle(for: BundleMarker.self).bundleURL
        #else
            var directory = Bundle.main.bundleURL
        #endif
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("trawl").path),
            directory.pathComponents.count > 1
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("trawl")
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts trawl; the caller waits or signals.
    static func start(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], directory: URL? = nil
    ) throws -> (ChildProcess, Pipe, Pipe) {
        let process = ChildProcess()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
        }
        try input.fileHandleForWriting.close()
        return (process, out, err)
    }

    /// A running trawl whose standard input stays open for the test to write to.
    struct Streaming {
        var process: ChildProcess
        var standardInputWriter: FileHandle
    }

    /// Starts trawl with standard input left open.
    static func startStreaming(_ arguments: [String]) throws -> (Streaming, Pipe, Pipe) {
        let process = ChildProcess()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        return (Streaming(process: process, standardInputWriter: input.fileHandleForWriting), out, err)
    }

    /// Runs trawl to the end.
    static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], directory: URL? = nil
    ) async throws -> Output {
        let (process, out, err) = try start(arguments, stdin: stdin, environment: environment, directory: directory)
        return await finish(process, out, err)
    }

    /// Runs trawl with `arguments` through `/bin/sh -c script`, in which `"$0" "$@"` are trawl and its arguments:
    /// the script sets a limit or closes a stream, then `exec`s them.
    static func runThroughShell(_ script: String, _ arguments: [String]) async throws -> Output {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, executable.path] + arguments
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return await finish(process, out, err)
    }

    /// Waits for a started trawl and collects its output, on a thread of its own: blocking one of Swift's few
    /// cooperative threads would stall every other test running meanwhile.
    static func finish(_ process: ChildProcess, _ out: Pipe, _ err: Pipe) async -> Output {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: finishBlocking(process, out, err)) }.start()
        }
    }

    private static func finishBlocking(_ process: ChildProcess, _ out: Pipe, _ err: Pipe) -> Output {
        // Read before waiting so a full pipe never blocks the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Sends `signals` to `pid`, `spacing` apart, from a thread of its own as soon as `condition` holds (or once
    /// `timeout` has passed); returns once all are sent, with the time the first was. A task polling instead could miss a short
    /// window: in a full suite every thread the tasks run on can be busy for seconds.
    static func signal(
        _ pid: pid_t, _ signals: [Int32], spacing: TimeInterval = 0.1, timeout: TimeInterval = 10,
        when condition: @escaping @Sendable () -> Bool
    ) async -> Date {
        await withCheckedContinuation { continuation in
            Thread {
                let deadline = Date().addingTimeInterval(timeout)
                while !condition(), Date() < deadline { usleep(2000) }
                let sent = Date()
                for (index, number) in signals.enumerated() {
                    if index > 0 { Thread.sleep(forTimeInterval: spacing) }
                    kill(pid, number)
                }
                continuation.resume(returning: sent)
            }.start()
        }
    }
}

#if canImport(Darwin)
    /// A class of the test bundle, to find that bundle by.
    private final class BundleMarker {}
#endif
