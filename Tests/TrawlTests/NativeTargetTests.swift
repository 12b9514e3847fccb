import Testing

@testable import Trawl

/// How the native transport reads a URL's text: what it connects to and asks for, and what it leaves to libcurl.
struct NativeTargetTests {
    @Test func hostPortPathAndHostFieldComeFromTheURLsText() throws {
        let target = try #require(NativeTarget("http://Example.COM:8080/a/b%20c?x=1&y=%2F#frag"))
        #expect(target.host == "example.com")
        #expect(target.port == 8080)
        #expect(target.hostField == "Example.COM:8080")
        #expect(target.path == "/a/b%20c?x=1&y=%2F")
    }

    @Test func theDefaultPortIsLeftOutOfTheHostFieldAndAnEmptyPathIsTheRoot() throws {
        let bare = try #require(NativeTarget("HTTP://host"))
        #expect(bare.port == 80)
        #expect(bare.hostField == "host")
        #expect(bare.path == "/")
        let explicit = try #require(NativeTarget("http://host:80?q"))
        #expect(explicit.hostField == "host")
        #expect(explicit.path == "/?q")
        let v6 = try #require(NativeTarget("http://[::1]:9/x"))
        #expect(v6.host == "::1")
        #expect(v6.port == 9)
        #expect(v6.hostField == "[::1]:9")
        let upper = try #require(NativeTarget("http://[FE80::A]:80"))
        #expect(upper.host == "fe80::a")
        #expect(upper.hostField == "[FE80::A]")
        let emptyPort = try #require(NativeTarget("http://host:#frag"))
        #expect(emptyPort.port == 80)
        #expect(emptyPort.hostField == "host")
        #expect(emptyPort.path == "/")
    }

    @Test(arguments: [
        "https://host/", "ftp://host/", "http://user:pass@host/", "http://user@host/", "http://ho%73t/",
        "http://h\u{e9}te/", "http://host:0/", "http://host:65536/", "http://host:8x/", "http://host:+80/",
        "http://host:080080/", "http://[::1/", "http://[::1]x/", "http://[1.2.3.4]/", "http://[1:2]/",
        "http://[::1::2]/", "http:///path", "http://",
    ])
    func whatIsNotPlainHTTPIsLeftToLibcurl(_ url: String) {
        #expect(NativeTarget(url) == nil)
    }
}
