/// Packs bits least-significant first, as deflate requires.
struct BitWriter {
    private var bytes: [UInt8] = []
    private var pending: UInt32 = 0
    private var pendingCount = 0

    /// Writes the low `count` bits of `value`, least significant first (deflate's order for extra bits and headers).
    mutating func write(_ value: UInt32, count: Int) {
        for bit in 0..<count { pushBit((value >> bit) & 1) }
    }

    /// Writes a Huffman code, most significant bit first (deflate's order for codes).
    mutating func writeCode(_ code: UInt32, length: Int) {
        for bit in stride(from: length - 1, through: 0, by: -1) { pushBit((code >> bit) & 1) }
    }

    /// Writes `count` zero bits quickly, whole bytes at a time.
    mutating func writeZeroBits(count: UInt64) {
        var remaining = count
        while remaining > 0 && pendingCount != 0 {
            pushBit(0)
            remaining -= 1
        }
        bytes.append(contentsOf: repeatElement(0, count: Int(remaining / 8)))
        for _ in 0..<(remaining % 8) { pushBit(0) }
    }

    /// The packed bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if pendingCount > 0 { bytes.append(UInt8(pending)) }
        pending = 0
        pendingCount = 0
        return bytes
    }

    private mutating func pushBit(_ bit: UInt32) {
        pending |= bit << pendingCount
        pendingCount += 1
        if pendingCount == 8 {
            bytes.append(UInt8(pending))
            pending = 0
            pendingCount = 0
        }
    }
}
