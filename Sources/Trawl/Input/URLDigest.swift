/// A 128-bit digest of a URL string: what de-duplication and resume remember instead of the string.
///
/// Two independent 64-bit hashes (FNV-1a and a multiply-xorshift mix); a collision between two distinct
/// URLs in a list of ten million is about one in 10^23.
public struct URLDigest: Hashable, Sendable {
    /// The first half.
    public let high: UInt64
    /// The second half.
    public let low: UInt64

    /// The digest of `string`'s UTF-8 bytes.
    public init(_ string: String) {
        var accumulator = Accumulator()
        // Over the contiguous bytes: a byte loop over `String.UTF8View` costs four times as many instructions.
        var string = string
        string.withUTF8 { accumulator.add($0) }
        self = accumulator.digest
    }

    private init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A digest of bytes that arrive in pieces: the same value as ``URLDigest/init(_:)`` on their concatenation.
    struct Accumulator {
        private var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        private var mix: UInt64 = 0x9E37_79B9_7F4A_7C15
        /// How many bytes were added.
        private(set) var count = 0

        mutating func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                mix = (mix ^ UInt64(byte)) &* 0xBF58_476D_1CE4_E5B9
                mix ^= mix >> 29
                count += 1
            }
        }

        var digest: URLDigest { URLDigest(high: fnv, low: URLDigest.finalize(mix ^ UInt64(count))) }
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
