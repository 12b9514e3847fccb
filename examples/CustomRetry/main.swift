// A crawl with a custom retry policy: Fibonacci backoff (1, 1, 2, 3, 5, ... times a unit) instead of trawl's
// default exponential backoff with jitter, plus a live count of progress events.
//
// Runs against trawl's loopback test site: `swift run example-custom-retry`.
import Foundation
import Synchronization
import Trawl
import TrawlTestSite

/// Waits unit × fib(n) after attempt n.
struct FibonacciBackoff: RetryPolicy {
    var unit: Duration

    func delay(afterAttempt attempt: Int) -> Duration {
        var (a, b) = (1, 1)
        for _ in 1..<max(attempt, 1) { (a, b) = (b, a + b) }
        return unit * a
    }
}

let site = try TestSite()
defer { site.shutdown() }
let urls = [
    site.url("/seq/flaky/503,502,500,200"), site.url("/page/fine", host: "127.0.0.2"),
    site.url("/status/404", host: "127.0.0.3"),
]

var configuration = Crawler.Configuration()
configuration.retry.policy = FibonacciBackoff(unit: .milliseconds(20))
configuration.retry.maxAttempts = 5
let crawler = Crawler(configuration: configuration)

let attempts = Atomic<Int>(0)
let start = ContinuousClock.now
var records: [Record] = []
for await record in crawler.records(
    for: urls,
    events: { event in
        if case .attemptStarted = event { attempts.add(1, ordering: .relaxed) }
    })
{
    records.append(record)
    print("\(record.url): ok=\(record.ok) status=\(record.status.map(String.init) ?? "-") attempts=\(record.attempts)")
}
await crawler.shutdown()
print("\(attempts.load(ordering: .relaxed)) requests in \(ContinuousClock.now - start)")

// Three failures before success: waits of 20, 20 and 40 ms; CI checks the example still behaves.
guard records.count == 3, records.first(where: { $0.url == urls[0] })?.attempts == 4,
    attempts.load(ordering: .relaxed) == 6, ContinuousClock.now - start >= .milliseconds(80)
else {
    print("unexpected outcome")
    exit(1)
}
