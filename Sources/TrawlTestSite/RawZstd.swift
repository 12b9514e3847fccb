/// Wraps bytes in a zstd frame (RFC 8878) of raw blocks, so a test can check what a client's `zstd` decoding gives
/// byte for byte.
enum RawZstd {
    /// The frame: magic number, a header with only a window descriptor (128 KiB, no content size, no checksum),
    /// and raw blocks of at most 64 KiB, the last one marked.
    static func make(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 7 << 3]  // magic, descriptor, window 2^(10 + 7)
        output.reserveCapacity(content.count + 3 * (content.count / 65_536 + 1) + 6)
        var start = 0
        repeat {
            let count = min(65_536, content.count - start)
            let last: UInt32 = start + count == content.count ? 1 : 0
            // Last_Block, Block_Type 0 (raw), Block_Size: three bytes, little-endian.
            let header = last | UInt32(count) << 3
            output.append(contentsOf: [0, 8, 16].map { UInt8(truncatingIfNeeded: header >> $0) })
            output.append(contentsOf: content[start..<(start + count)])
            start += count
        } while start < content.count
        return output
    }
}
