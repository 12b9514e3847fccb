import Testing

@testable import Trawl

@Suite struct CrawlURLTests {
    @Test(arguments: ["http://example.com", "https://Example.COM:8443/a?b=c#d", "http://127.0.0.1:8080/x"])
    func validURLsAreAccepted(_ text: String) throws {
        let url = try CrawlURL(validating: text)
        #expect(url.original == text)
        #expect(url.host == url.host.lowercased())
    }

    @Test func hostIsLowercasedAndPortIgnored() throws {
        #expect(try CrawlURL(validating: "http://EXAMPLE.com:81/").host == "example.com")
    }

    @Test(arguments: [
        ("ftp://example.com/file", ErrorKind.unsupportedScheme), ("file:///etc/passwd", .unsupportedScheme),
        ("mailto:a@b.c", .unsupportedScheme), ("javascript:alert(1)", .unsupportedScheme),
        ("not a url", .invalidURL), ("example.com/page", .invalidURL), ("http://", .invalidURL),
        ("http:///path", .invalidURL), ("http://exa mple.com/", .invalidURL), ("http://host:99999/", .invalidURL),
        ("http://a.com/\u{1B}[2J", .invalidURL), ("//example.com/", .invalidURL), ("http:example.com", .invalidURL),
    ])
    func badLinesGetTheRightKind(_ text: String, _ kind: ErrorKind) {
        #expect(throws: RecordError.self) { try CrawlURL(validating: text) }
        do {
            _ = try CrawlURL(validating: text)
        } catch {
            #expect(error.kind == kind, "\(text): \(error.message)")
        }
    }

    @Test func passwordsAreRedacted() {
        #expect(CrawlURL.redactingPassword("http://user:secret@host/p") == "http://user:***@host/p")
        #expect(CrawlURL.redactingPassword("http://user@host/p@x") == "http://user@host/p@x")
        #expect(CrawlURL.redactingPassword("http://host/a:b@c") == "http://host/a:b@c")
    }
}
