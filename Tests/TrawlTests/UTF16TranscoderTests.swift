import Testing

@testable import Trawl

@Suite struct UTF16TranscoderTests {
    /// "a€😀\n" in UTF-16: ASCII, a BMP character and a surrogate pair.
    static let text = "a€😀\n"

    static func encoded(_ text: String, bigEndian: Bool) -> [UInt8] {
        text.utf16.flatMap { unit -> [UInt8] in
            let (high, low) = (UInt8(unit >> 8), UInt8(unit & 0xFF))
            return bigEndian ? [high, low] : [low, high]
        }
    }

    @Test(arguments: [false, true])
    func piecesSplitAnywhereGiveTheSameUTF8(bigEndian: Bool) {
        let bytes = Self.encoded(Self.text, bigEndian: bigEndian)
        // Every split point, the pair's halves and a unit's two bytes included.
        for cut in 0...bytes.count {
            var transcoder = UTF16Transcoder(bigEndian: bigEndian)
            let output = transcoder.transcode(bytes[..<cut]) + transcoder.transcode(bytes[cut...], final: true)
            #expect(output == Array(Self.text.utf8), "cut at \(cut)")
        }
    }

    @Test func anUnpairedSurrogateOrALoneLastByteBecomesAReplacementCharacter() {
        var transcoder = UTF16Transcoder(bigEndian: false)
        // A high surrogate then "b", and one byte over at the end.
        let output = transcoder.transcode([0x3D, 0xD8, 0x62, 0x00, 0x41], final: true)
        #expect(String(decoding: output, as: UTF8.self) == "\u{FFFD}b\u{FFFD}")
    }

    @Test func theByteOrderMarkSaysTheOrder() {
        #expect(UTF16Transcoder.byteOrder(of: [0xFF, 0xFE, 0x61]) == false)
        #expect(UTF16Transcoder.byteOrder(of: [0xFE, 0xFF]) == true)
        #expect(UTF16Transcoder.byteOrder(of: [0xEF, 0xBB, 0xBF]) == nil)
        #expect(UTF16Transcoder.byteOrder(of: [0xFF]) == nil)
    }
}
