/// Wraps bytes in the three HTTP content codings built on deflate, using stored (uncompressed) blocks: the output
/// is a valid gzip member (RFC 1952), zlib stream (RFC 1950) or raw deflate stream (RFC 1951) whose content is the
/// input exactly, so a test can check what a client decodes byte for byte.
enum StoredDeflate {
    /// A raw deflate stream of stored blocks of at most 65,535 bytes each, the last one marked final.
    static func raw(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count + 5 * (content.count / 65_535 + 1))
        var start = 0
        repeat {
            let count = min(65_535, content.count - start)
            let final = start + count == content.count
            output.append(final ? 1 : 0)  // BFINAL, BTYPE 00; the rest of the byte pads to the boundary.
            output.append(contentsOf: [UInt8(count & 0xFF), UInt8(count >> 8)])
            output.append(contentsOf: [UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)])
            output.append(contentsOf: content[start..<(start + count)])
            start += count
        } while start < content.count
        return output
    }

    /// A gzip member: header, stored deflate stream, CRC-32 and length.
    static func gzip(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]  // Deflate, no flags, no mtime, Unix.
        output.append(contentsOf: raw(content))
        appendLittleEndian(CRC32.checksum(content), to: &output)
        appendLittleEndian(UInt32(truncatingIfNeeded: content.count), to: &output)
        return output
    }

    /// A zlib stream, as `Content-Encoding: deflate` means: header, stored deflate stream, Adler-32 (big-endian).
    static func zlib(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x78, 0x01]  // 32 KiB window, no dictionary; 0x7801 is a multiple of 31.
        output.append(contentsOf: raw(content))
        let adler = adler32(content)
        output.append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: adler >> $0) })
        return output
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var low: UInt32 = 1
        var high: UInt32 = 0
        for byte in bytes {
            low = (low + UInt32(byte)) % 65_521
            high = (high + low) % 65_521
        }
        return high << 16 | low
    }

    private static func appendLittleEndian(_ value: UInt32, to output: inout [UInt8]) {
        output.append(contentsOf: [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> $0) })
    }
}
