// A list crawl with a custom validation: an API answers 200 with {"status":"pending"} until a job is ready;
// the evaluator retries such answers until the body says "ready", with trawl's usual backoff.
//
// Runs against trawl's loopback test site so it works anywhere: `swift run example-validated-crawl`.
import Foundation
import Trawl
import TrawlTestSite

/// Accepts a JSON body only once its `status` is `ready`.
struct JobIsReady: ResponseEvaluator {
    var needsBody: Bool { true }

    func evaluate(_ response: TransportResponse) -> Evaluation {
        guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            return .reject("the answer is not a JSON object")
        }
        let status = json["status"] as? String ?? "missing"
        return status == "ready" ? .accept : .retry("job status is \(status)")
    }
}

let site = try TestSite()
defer { site.shutdown() }
let urls = [
    site.url("/ready/job-1?after=0"), site.url("/ready/job-2?after=2", host: "127.0.0.2"),
    site.url("/ready/job-3?after=50", host: "127.0.0.3"),
]

var configuration = Crawler.Configuration()
configuration.retry.evaluate = JobIsReady()
configuration.retry.maxAttempts = 4
configuration.retry.policy = ExponentialBackoff(base: .milliseconds(50), maximum: .seconds(1))
let crawler = Crawler(configuration: configuration)

var outcomes: [String: Record] = [:]
for await record in crawler.records(for: urls) {
    outcomes[record.url] = record
    let verdict = record.ok ? "ready" : "gave up: \(record.error?.message ?? "")"
    print("\(record.url) after \(record.attempts) attempt(s): \(verdict)")
}
await crawler.shutdown()

// CI runs this example: fail loudly if trawl did not behave as documented.
guard outcomes[urls[0]]?.attempts == 1, outcomes[urls[1]]?.attempts == 3, outcomes[urls[1]]?.ok == true,
    outcomes[urls[2]]?.error?.kind == .validation
else {
    print("unexpected outcome")
    exit(1)
}
