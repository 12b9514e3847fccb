import Testing

@testable import Trawl

/// The native transport's response parser, fed bytes directly: every message whole and split at every byte.
struct HTTP1ResponseParserTests {
    /// What parsing `message` came to, in pieces of `piece` bytes (0: whole), with the body it handed on.
    private struct Parsed: Equatable {
        var step: HTTP1ResponseParser.Step
        var status: Int
        var headers: String
        var body: String
        var keepsConnection: Bool
    }

    private func parse(_ message: String, splitAt split: Int? = nil, closeAfter: Bool = false) -> Parsed {
        var parser = HTTP1ResponseParser(maxHeaderBytes: 1024)
        let bytes = Array(message.utf8)
        var body: [UInt8] = []
        var step = HTTP1ResponseParser.Step.needMore
        var consumed = 0
        let pieces = split.map { [Array(bytes[..<$0]), Array(bytes[$0...])] } ?? [bytes]
        for piece in pieces where step == .needMore {
            step = piece.withUnsafeBytes {
                parser.parse($0) { bytes, _, _ in
                    body.append(contentsOf: bytes)
                    return true
                }
            }
            if case .complete(let count) = step { step = .complete(consumed: consumed + count) }
            consumed += piece.count
        }
        if closeAfter, step == .needMore { step = parser.finish() }
        return Parsed(
            step: step, status: parser.status, headers: String(decoding: parser.headerLines, as: UTF8.self),
            body: String(decoding: body, as: UTF8.self), keepsConnection: parser.keepsConnection)
    }

    /// `message` parsed whole, after checking that every split gives the same.
    private func parseEverySplit(_ message: String, closeAfter: Bool = false) -> Parsed {
        let whole = parse(message, closeAfter: closeAfter)
        for split in 1..<message.utf8.count {
            #expect(parse(message, splitAt: split, closeAfter: closeAfter) == whole, "split at \(split)")
        }
        return whole
    }

    @Test func aLengthFramedResponseEndsAtItsLengthAndLeavesWhatFollows() {
        let message = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  one  \r\n\r\nhelloEXTRA"
        let parsed = parseEverySplit(message)
        #expect(parsed.step == .complete(consumed: message.utf8.count - 5))
        #expect(parsed.status == 200)
        #expect(parsed.headers == "Content-Length:5\nX-A:one\n")
        #expect(parsed.body == "hello")
        #expect(parsed.keepsConnection)
    }

    @Test func aChunkedBodyWithExtensionsAndTrailersIsUndone() {
        let message =
            "HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\nContent-Length: 99\n\n"
            + "3;name=value\r\nabc\r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\nLocation: /x\r\n\r\n"
        let parsed = parseEverySplit(message)
        #expect(parsed.step == .complete(consumed: message.utf8.count))
        #expect(parsed.body == "abc0123456789")
        #expect(!parsed.headers.contains("Trailer") && !parsed.headers.contains("Location"))
        // Both framings at once: the connection is not trusted with another request.
        #expect(!parsed.keepsConnection)
    }

    @Test func interimResponsesAreSkippedAndFoldedLinesJoined() {
        let message =
            "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
            + "HTTP/1.1 404 Not Found\r\nX-Long: a\r\n  b\r\n\tc\r\nBad\rLine: x\r\nNoColon\r\n: empty\r\n"
            + "Content-Length: 0\r\n\r\n"
        let parsed = parseEverySplit(message)
        #expect(parsed.step == .complete(consumed: message.utf8.count))
        #expect(parsed.status == 404)
        #expect(parsed.headers == "X-Long:a b c\nContent-Length:0\n")
    }

    @Test func http10KeepsTheConnectionOnlyWhenAskedAndCloseEndsAnUnframedBody() {
        #expect(parse("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx").keepsConnection == false)
        #expect(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx").keepsConnection)
        #expect(
            parse("HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 1\r\n\r\nx").keepsConnection == false)
        let unframed = parseEverySplit("HTTP/1.1 200 OK\r\n\r\nall of it", closeAfter: true)
        #expect(unframed.step == .complete(consumed: 0))
        #expect(unframed.body == "all of it")
        #expect(!unframed.keepsConnection)
        let noContent = "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n"
        #expect(parse(noContent + "x").step == .complete(consumed: noContent.utf8.count))
    }

    @Test func whatFramesNothingCertainOrIsCutShortFails() {
        func failure(_ message: String, closeAfter: Bool = true) -> String? {
            if case .failed(let text) = parse(message, closeAfter: closeAfter).step { return text }
            return nil
        }
        #expect(
            failure("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\n")?.contains("3 and 5") == true)
        #expect(
            failure("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")
                == "the connection closed after 2 of the 4 body bytes")
        #expect(failure("HTTP/1.1 200 OK\r\nContent-") == "the connection closed inside the response's header block")
        #expect(failure("") == "the server closed the connection without answering")
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.contains("chunk size") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX") != nil)
        #expect(
            failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab")
                == "the connection closed inside the chunked body")
        #expect(
            failure("<html>hello</html>\r\n", closeAfter: false) == "the server's answer is not an HTTP/1.x status line"
        )
        #expect(failure("HTTP/2 200\r\n\r\n", closeAfter: false)?.contains("HTTP/2") == true)
        #expect(failure("HTTP/1.1 101 Switching\r\n\r\n", closeAfter: false)?.contains("101") == true)
        let big = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        #expect(failure(big, closeAfter: false)?.contains("header block is over 1 KB") == true)
    }

    @Test func theBodyClosureStopsTheResponseAndResetReadiesTheNext() {
        var parser = HTTP1ResponseParser()
        let first = Array("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc".utf8)
        #expect(first.withUnsafeBytes { parser.parse($0) { _, _, _ in false } } == .stopped)
        #expect(first.withUnsafeBytes { parser.parse($0) { _, _, _ in true } } == .stopped)
        parser.reset()
        #expect(first.withUnsafeBytes { parser.parse($0) { _, _, _ in true } } == .complete(consumed: first.count))
        #expect(parser.status == 200 && parser.receivedAnything)
    }
}
