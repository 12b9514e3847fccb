/// The CRC-32 of gzip and zlib (reflected polynomial 0xEDB88320).
enum CRC32 {
    private static let polynomial: UInt32 = 0xEDB8_8320

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ polynomial : value >> 1
        }
        return value
    }

    /// The CRC-32 of `bytes`.
    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var register: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            register = table[Int((register ^ UInt32(byte)) & 0xFF)] ^ (register >> 8)
        }
        return register ^ 0xFFFF_FFFF
    }

    /// The CRC-32 of `count` zero bytes in O(log count) time.
    ///
    /// Feeding a zero byte is a linear map on the CRC register, so `count` of them is that map's `count`-th power
    /// (the same GF(2) matrix technique as zlib's `crc32_combine`).
    static func checksumOfZeros(count: UInt64) -> UInt32 {
        // The operator for one zero bit: column n is the image of register bit n.
        var oneBit = [UInt32](repeating: 0, count: 32)
        oneBit[0] = polynomial
        for bit in 1..<32 { oneBit[bit] = 1 << (bit - 1) }
        var power = square(square(square(oneBit)))  // One zero byte.
        var register: UInt32 = 0xFFFF_FFFF
        var remaining = count
        while remaining > 0 {
            if remaining & 1 == 1 { register = apply(power, to: register) }
            remaining >>= 1
            if remaining > 0 { power = square(power) }
        }
        return register ^ 0xFFFF_FFFF
    }

    private static func apply(_ matrix: [UInt32], to vector: UInt32) -> UInt32 {
        var result: UInt32 = 0
        var vector = vector
        var column = 0
        while vector != 0 {
            if vector & 1 == 1 { result ^= matrix[column] }
            vector >>= 1
            column += 1
        }
        return result
    }

    private static func square(_ matrix: [UInt32]) -> [UInt32] {
        matrix.map { apply(matrix, to: $0) }
    }
}
