/// Builds a gzip member that inflates to a given number of zero bytes while staying about 1000 times smaller.
///
/// The deflate stream (RFC 1951) is a single block with dynamic Huffman codes chosen for exactly three symbols: the
/// literal 0, the length 258 (symbol 285) and end-of-block, plus the one distance code for distance 1. After one
/// literal zero every further 258 zeros cost two bits, which is deflate's best possible ratio (about 1032:1).
enum GzipBomb {
    /// The complete gzip file (RFC 1952) whose content is `size` zero bytes.
    static func make(size: UInt64) -> [UInt8] {
        var output: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]  // Deflate, no flags, no mtime, Unix.
        output.append(contentsOf: deflateZeros(size: size))
        appendLittleEndian(CRC32.checksumOfZeros(count: size), to: &output)
        appendLittleEndian(UInt32(truncatingIfNeeded: size), to: &output)
        return output
    }

    /// A raw deflate stream that inflates to `size` zero bytes.
    static func deflateZeros(size: UInt64) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)  // BFINAL
        bits.write(2, count: 2)  // BTYPE 10: dynamic Huffman codes
        bits.write(286 - 257, count: 5)  // HLIT: literal/length codes 0...285
        bits.write(1 - 1, count: 5)  // HDIST: one distance code
        bits.write(18 - 4, count: 4)  // HCLEN: code length codes up to symbol 1 in the permuted order
        // Code length code lengths, in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1:
        // symbol 18 (run of zeros) gets 1 bit, symbols 1 and 2 get 2 bits.
        for length: UInt32 in [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2] {
            bits.write(length, count: 3)
        }
        // Canonical code length codes: 18 -> 0, 1 -> 10, 2 -> 11.
        let runOfZeros = { (bits: inout BitWriter, run: UInt32) in
            bits.writeCode(0b0, length: 1)
            bits.write(run - 11, count: 7)
        }
        let lengthOne = { (bits: inout BitWriter) in bits.writeCode(0b10, length: 2) }
        let lengthTwo = { (bits: inout BitWriter) in bits.writeCode(0b11, length: 2) }
        lengthTwo(&bits)  // literal 0
        runOfZeros(&bits, 138)  // literals 1...138
        runOfZeros(&bits, 117)  // literals 139...255
        lengthTwo(&bits)  // end of block, 256
        runOfZeros(&bits, 28)  // lengths 257...284
        lengthOne(&bits)  // length 285 (258 bytes)
        lengthOne(&bits)  // distance code 0 (distance 1)

        // Canonical literal/length codes: 285 -> 0, literal 0 -> 10, end of block -> 11. Distance 0 -> 0.
        if size > 0 {
            bits.writeCode(0b10, length: 2)
            let rest = size - 1
            bits.writeZeroBits(count: rest / 258 * 2)
            for _ in 0..<(rest % 258) { bits.writeCode(0b10, length: 2) }
        }
        bits.writeCode(0b11, length: 2)
        return bits.finish()
    }

    private static func appendLittleEndian(_ value: UInt32, to output: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
