/// Wraps bytes in a brotli stream (RFC 7932) of uncompressed meta-blocks, so a test can check what a client's `br`
/// decoding gives byte for byte.
enum StoredBrotli {
    /// The stream: a 16-bit window (WBITS 16, one zero bit), uncompressed meta-blocks of at most 16 KiB, and an
    /// empty last meta-block. Every uncompressed meta-block's data starts on a byte boundary.
    static func make(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count + 3 * (content.count / 16_384 + 1) + 1)
        var start = 0
        var first = true
        while start < content.count {
            let count = min(16_384, content.count - start)
            // ISLAST 0, MNIBBLES 0 (four nibbles), MLEN - 1 in 16 bits, ISUNCOMPRESSED 1, zero bits to the byte.
            // The first header follows the stream's WBITS bit, so it sits one bit further in.
            let shift: UInt32 = first ? 1 : 0
            let header = (UInt32(count - 1) << (3 + shift)) | (1 << (19 + shift))
            output.append(contentsOf: [0, 8, 16].map { UInt8(truncatingIfNeeded: header >> $0) })
            output.append(contentsOf: content[start..<(start + count)])
            start += count
            first = false
        }
        // ISLAST 1, ISLASTEMPTY 1 (after the WBITS bit when nothing came before).
        output.append(first ? 0b110 : 0b11)
        return output
    }
}
