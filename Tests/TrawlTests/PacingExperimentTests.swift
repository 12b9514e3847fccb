import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// Not a test of correctness: a figure for tuning the adaptive pacing against the site's rate limiter.
/// `TRAWL_PACING_EXPERIMENT=1 swift test --filter PacingExperiment`
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TRAWL_PACING_EXPERIMENT"] != nil))
struct PacingExperimentTests {
    @Test func adaptivePacingAgainstATokenBucketLimiter() async throws {
        let site = try TestSite(hosts: ["127.0.0.1", "127.0.0.2"])
        let rate = Int(ProcessInfo.processInfo.environment["TRAWL_PACING_RATE"] ?? "50") ?? 50
        let perHost = Int(ProcessInfo.processInfo.environment["TRAWL_PACING_URLS"] ?? "500") ?? 500
        let urls = (0..<(2 * perHost)).map { site.url("/limited/\($0)?rate=\(rate)", host: site.hosts[$0 % 2]) }
        let start = ContinuousClock.now
        let (sink, _) = await crawl(
            urls,
            configure: {
                $0.retry.maxAttempts = 10
                $0.retry.policy = ExponentialBackoff()
            }, clock: .continuous, transport: try CurlMultiTransport())
        let elapsed = ContinuousClock.now - start
        let log = site.requests()
        let refused = sink.records.reduce(0) { $0 + $1.attempts - 1 }
        let ideal = Double(perHost) / Double(rate)
        print(
            "pacing: \(sink.records.filter(\.ok).count)/\(urls.count) ok, \(log.count) requests, \(refused) refused",
            String(
                format: "(%.1f%%), %.1f s = %.2f x ideal %.0f s", 100 * Double(refused) / Double(log.count),
                elapsed.seconds, elapsed.seconds / ideal, ideal))
        var perSecond: [Int: Int] = [:]
        let first = log.first!.arrival
        for request in log where request.host == "127.0.0.1" {
            perSecond[Int((request.arrival - first).seconds), default: 0] += 1
        }
        print(
            "requests per second on 127.0.0.1:",
            perSecond.keys.sorted().map { "\(perSecond[$0]!)" }.joined(separator: " "))
    }
}
