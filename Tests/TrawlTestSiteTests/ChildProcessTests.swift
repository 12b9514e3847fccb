import Foundation
import Testing
import TrawlTestSite

@Suite struct ChildProcessTests {
    /// The child gets its three standard streams and nothing else the parent holds (here a pipe kept open):
    /// an inherited write end would keep another test's reader from ever seeing the end of its output.
    @Test func theChildInheritsOnlyItsStandardStreams() throws {
        var held: [Int32] = [-1, -1]
        try #require(pipe(&held) == 0)
        defer { for fd in held { close(fd) } }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // /dev/fd lists the shell's own descriptors on Linux (a link to /proc/self/fd) and on macOS alike.
        process.arguments = ["-c", "cd /dev/fd && echo *"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let listed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // 0-2, and the descriptor the shell's glob opens the directory with.
        let descriptors = listed.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(descriptors.filter { $0 > 3 }.isEmpty, "\(listed)")
        #expect(held.allSatisfy { $0 > 3 }, "the held pipe proves nothing")
    }

    /// As with `Process`, a stream left nil or given as `FileHandle.nullDevice` (whose descriptor is -1) is
    /// `/dev/null`, not the test runner's own.
    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "needs Linux's /proc"),
        arguments: [false, true])
    func aMissingOrNullStreamIsDevNull(nullDevice: Bool) throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "readlink /proc/self/fd/0 /proc/self/fd/2"]
        if nullDevice {
            process.standardInput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let listed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(listed == "/dev/null\n/dev/null\n")
    }

    @Test func anExitStatusAndASignalAreReportedAndTheChildIsReaped() throws {
        let exiting = ChildProcess()
        exiting.executableURL = URL(fileURLWithPath: "/bin/sh")
        exiting.arguments = ["-c", "exit 7"]
        exiting.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        try exiting.run()
        exiting.waitUntilExit()
        #expect(!exiting.isRunning && exiting.terminationStatus == 7)
        let sleeping = ChildProcess()
        sleeping.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeping.arguments = ["30"]
        try sleeping.run()
        #expect(sleeping.isRunning)
        sleeping.terminate()
        sleeping.waitUntilExit()
        #expect(sleeping.terminationStatus == SIGTERM)
        // Reaped: no zombie is left for kill to find.
        #expect(kill(sleeping.processIdentifier, 0) != 0)
    }
}
