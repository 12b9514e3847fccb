import Foundation
import Testing
import TrawlTestSite

@testable import Trawl

/// A library caller can set any value: those outside a field's range are clamped into it, never a crash or a
/// crawl that cannot end.
@Suite(.timeLimit(.minutes(1))) struct ConfigurationRangeTests {
    enum OddValue: String, CaseIterable, Sendable {
        case zeroConcurrency, negativePerHost, hugeConcurrency, hugeAdmitted, negativeAdmitted
        case zeroRate, negativeRate, nanRate, infiniteRate, zeroGlobalRate, tinyGlobalRate, infiniteGlobalRate

        func apply(to configuration: inout Crawler.Configuration) {
            switch self {
            case .zeroConcurrency: configuration.concurrency.total = 0
            case .negativePerHost: configuration.concurrency.perHost = -1
            case .hugeConcurrency:
                configuration.concurrency.total = .max
                configuration.concurrency.perHost = .max
            case .hugeAdmitted: configuration.concurrency.maxAdmitted = .max
            case .negativeAdmitted: configuration.concurrency.maxAdmitted = -3
            case .zeroRate: configuration.politeness.ratePerHost = 0
            case .negativeRate: configuration.politeness.ratePerHost = -1
            case .nanRate: configuration.politeness.ratePerHost = .nan
            case .infiniteRate: configuration.politeness.ratePerHost = .infinity
            case .zeroGlobalRate: configuration.politeness.rateGlobal = 0
            case .tinyGlobalRate: configuration.politeness.rateGlobal = 1e-9
            case .infiniteGlobalRate: configuration.politeness.rateGlobal = .infinity
            }
        }
    }

    let site: TestSite

    init() throws {
        site = try TestSite()
    }

    @Test(arguments: OddValue.allCases)
    func anOutOfRangeValueIsClampedAndTheCrawlEnds(_ value: OddValue) async throws {
        let urls = (0..<4).map { site.url("/page/\(value.rawValue)\($0)", host: $0 < 2 ? "127.0.0.1" : "127.0.0.2") }
        // The test clock makes even the slowest allowed pace (0.01 per second) a matter of milliseconds.
        let run = Task { await crawl(urls, configure: value.apply) }
        #expect(await finishes(run, within: .seconds(20)), "the crawl did not end")
        let (sink, summary) = await run.value
        #expect(summary.records == 4 && summary.succeeded == 4)
        #expect(Set(sink.records.map(\.url)) == Set(urls))
    }

    @Test func theRangesAreTheCommandLines() {
        var configuration = Crawler.Configuration()
        configuration.concurrency.total = 0
        configuration.concurrency.perHost = 1_000_000
        configuration.concurrency.maxAdmitted = .max
        configuration.politeness.ratePerHost = 0
        configuration.politeness.rateGlobal = .infinity
        let clamped = configuration.normalized
        #expect(clamped.concurrency.total == 1)
        #expect(clamped.concurrency.perHost == 100_000)
        #expect(clamped.concurrency.maxAdmitted == 1 << 24)
        #expect(clamped.politeness.ratePerHost == 0.01)
        #expect(clamped.politeness.rateGlobal == 1_000_000)
        #expect(Crawler.Configuration().normalized.concurrency.maxAdmitted == nil)
    }
}
