import Foundation
import Testing

@testable import Trawl

@Suite struct CrawlURLLowercaseTests {
    /// The host and scheme are lowered exactly as `lowercased()` does, for the ASCII fast path and for the
    /// decoded (non-ASCII) host Foundation gives for a percent-encoded one.
    @Test(arguments: [
        "HTTP://ExAmPle.COM/", "https://%C3%89XAMPLE.com/", "http://%C4%B0stanbul/", "HtTpS://a-Z.0/",
        "http://%E1%BA%9E/",
    ])
    func hostsAreLoweredAsLowercasedDoes(text: String) throws {
        let url = try CrawlURL(validating: text)
        let expected = try #require(URL(string: text)?.host).lowercased()
        #expect(url.host == expected, "\(text): \(url.host) vs \(expected)")
    }
}
