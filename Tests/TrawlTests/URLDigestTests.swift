import Testing

@testable import Trawl

@Suite struct URLDigestTests {
    /// Resume reads digests of the records an earlier trawl wrote: the values must never change between versions.
    @Test func digestsKeepTheirValues() {
        let pinned: [(String, UInt64, UInt64)] = [
            ("http://a/1", 0x84E1_BDE7_887A_CE96, 0x0A2A_ED08_FA09_1316),
            ("", 0xCBF2_9CE4_8422_2325, 0xE220_A839_7B1D_CDAF),
            ("https://é.example/ü?q=1", 0x80AC_DF03_255C_D8AE, 0xAACE_E7E9_4D7C_6237),
        ]
        for (text, high, low) in pinned {
            let digest = URLDigest(text)
            #expect(digest.high == high && digest.low == low, "\(text)")
        }
    }

    @Test func anAccumulatorFedInPiecesGivesTheDigestOfTheWhole() {
        let text = "https://example.com/a/long/path?with=query&and=more"
        var accumulator = URLDigest.Accumulator()
        for piece in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).enumerated() {
            if piece.offset > 0 { accumulator.add(CollectionOfOne(UInt8(ascii: "/"))) }
            accumulator.add(piece.element)
        }
        #expect(accumulator.count == text.utf8.count)
        #expect(accumulator.digest == URLDigest(text))
    }
}
