import Foundation
import Testing
import TrawlTestSite

@Suite(.timeLimit(.minutes(1))) struct CrashResumeTests {
    @Test func killedAtRandomEightTimesThenResumedEveryURLHasExactlyOneRecord() async throws {
        let site = try TestSite()
        let directory = TrawlProcess.temporaryDirectory()
        let urls = (0..<90).map { site.url("/slow/\($0)?delay=80", host: site.hosts[$0 % 3]) }
        let list = directory.appendingPathComponent("urls.txt").path
        _ = FileManager.default.createFile(atPath: list, contents: Data(urls.joined(separator: "\n").utf8))
        let out = directory.appendingPathComponent("out.ndjson").path
        let arguments = [list, "-o", out, "--resume", "-c", "6", "--progress", "never"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let (process, stdout, stderr) = try TrawlProcess.start(arguments)
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...250, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            _ = await TrawlProcess.finish(process, stdout, stderr)
        }
        // A crash in the middle of a write leaves half a line.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"url":"\#(urls[0])","ok":tr"#.utf8))
        try handle.close()
        let last = try await TrawlProcess.run(arguments)
        #expect(last.status == 0, "\(last.stderr)")

        let lines = try String(contentsOfFile: out, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        let recorded = try lines.dropLast().map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")["url"]
                as! String
        }
        #expect(recorded.count == urls.count)
        #expect(Set(recorded) == Set(urls))
        // Repeated fetches: at most the requests in flight (6) at each of the eight kills, and a few records
        // still in the writer's 10 ms buffer.
        #expect(site.requestCount() <= urls.count + 8 * 8, "\(site.requestCount()) requests")
        site.shutdown()
    }
}
