import Foundation
import Testing
import TrawlTestSite

/// What a program built on the library gets from `Crawler(configuration:)` alone, as the examples are.
@Suite(.timeLimit(.minutes(1)), .enabled(if: ForwardProxy.isAvailable, "needs python3"))
struct LibraryDefaultsTests {
    /// The default transport takes its proxy from the environment, as the tool's `--transport auto` does and the
    /// URLSession default did: a program behind a proxy must not start connecting directly.
    @Test func theDefaultTransportTakesTheProxyEnvironment() async throws {
        let proxy = try ForwardProxy()
        defer { proxy.shutdown() }
        let example = TrawlProcess.executable.deletingLastPathComponent().appendingPathComponent(
            "example-validated-crawl")
        try #require(FileManager.default.isExecutableFile(atPath: example.path), "\(example.path)")
        let result = try await TrawlProcess.runThroughShell(
            "http_proxy=\"$1\" exec \"$2\"", [proxy.url(), example.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let targets = proxy.log().map(\.target)
        #expect(targets.contains { $0.contains("/ready/job-1") }, "\(targets)")
    }
}
