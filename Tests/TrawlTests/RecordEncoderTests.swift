import Foundation
import Testing

@testable import Trawl

@Suite struct RecordEncoderTests {
    private func decode(_ record: Record) throws -> [String: Any] {
        let bytes = RecordEncoder().encode(record)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().contains(UInt8(ascii: "\n")) == false)
        return try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func successRecordHasEveryFieldWithNullError() throws {
        let record = Record(
            url: "http://a/", ok: true, status: 200, attempts: 1, finalURL: "http://a/", contentType: "text/html",
            bytes: 2048, elapsedMilliseconds: 12)
        let json = try decode(record)
        #expect(json["url"] as? String == "http://a/")
        #expect(json["ok"] as? Bool == true)
        #expect(json["status"] as? Int == 200)
        #expect(json["attempts"] as? Int == 1)
        #expect(json["final_url"] as? String == "http://a/")
        #expect(json["content_type"] as? String == "text/html")
        #expect(json["bytes"] as? Int == 2048)
        #expect(json["elapsed_ms"] as? Int == 12)
        #expect(json["error"] is NSNull)
        #expect(json["body"] == nil)
    }

    @Test func rejectedRecordHasNullsAndAnErrorObject() throws {
        let json = try decode(.rejected("ftp://x", RecordError(.unsupportedScheme, "no")))
        #expect(json["status"] is NSNull)
        #expect(json["final_url"] is NSNull)
        #expect(json["attempts"] as? Int == 0)
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["kind"] as? String == "unsupported_scheme")
        #expect(error["message"] as? String == "no")
    }

    @Test func controlCharactersQuotesAndUnicodeSurviveARoundTrip() throws {
        let nasty = "a\"b\\c\n\r\t\u{1B}[31m\u{0}\u{7F} é 漢 🎉"
        let json = try decode(Record(url: nasty, ok: false, attempts: 0, body: .text(nasty)))
        #expect(json["url"] as? String == nasty)
        #expect(json["body"] as? String == nasty)
        let line = String(decoding: RecordEncoder().encode(Record(url: nasty, ok: false, attempts: 0)), as: UTF8.self)
        #expect(!line.contains("\u{1B}"))
    }

    @Test func integersOfEverySizeEncodeExactly() throws {
        for value in [0, 7, 10, 99, 100, 12345, Int.max, -1, Int.min + 1] {
            var out: [UInt8] = []
            RecordEncoder.appendInt(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
    }

    @Test func everyByteThatNeedsEscapingIsFoundAtEveryPositionOfAWord() throws {
        // The clean-prefix scan tests eight bytes at a time: put each byte that needs escaping (and its
        // neighbours, which do not) at every offset of strings longer than two words.
        let special: [UInt8] = Array(0..<0x20) + [0x22, 0x5C, 0x7F]
        let neighbours: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0x80, 0xC3, 0xFF]
        for length in [1, 7, 8, 9, 15, 16, 17, 23, 24] {
            for position in 0..<length {
                for byte in special + neighbours {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = byte
                    let expected = special.contains(byte) ? position : length
                    #expect(bytes.withUnsafeBufferPointer { RecordEncoder.cleanPrefixLength($0) } == expected)
                    guard byte < 0x80 else { continue }
                    let text = String(decoding: bytes, as: UTF8.self)
                    var out: [UInt8] = []
                    RecordEncoder.appendString(text, to: &out)
                    let decoded = try JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed)
                    #expect(decoded as? String == text)
                }
            }
        }
    }
}
