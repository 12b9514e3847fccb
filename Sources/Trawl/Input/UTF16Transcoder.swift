/// Turns UTF-16 bytes that arrive in pieces into UTF-8, for a list saved as UTF-16 (Windows PowerShell's `>`
/// writes UTF-16LE with a byte-order mark). A code unit or surrogate pair split between pieces is held back
/// until the rest arrives; an unpaired surrogate, or a lone byte at the end, becomes U+FFFD.
struct UTF16Transcoder {
    /// The byte order.
    let bigEndian: Bool
    /// Bytes of the previous piece not yet decoded: an odd byte, and a high surrogate that may pair with the
    /// next unit.
    private var held: [UInt8] = []

    init(bigEndian: Bool) {
        self.bigEndian = bigEndian
    }

    /// The byte order a UTF-16 byte-order mark at the start of `bytes` gives, or `nil` if it holds none.
    static func byteOrder(of bytes: some Collection<UInt8>) -> Bool? {
        var iterator = bytes.makeIterator()
        switch (iterator.next(), iterator.next()) {
        case (0xFF, 0xFE): return false
        case (0xFE, 0xFF): return true
        default: return nil
        }
    }

    /// The UTF-8 of `bytes` after what was held; with `final`, nothing is held back for a next piece.
    mutating func transcode(_ bytes: some Collection<UInt8>, final: Bool = false) -> [UInt8] {
        var input = held
        input.append(contentsOf: bytes)
        var units: [UInt16] = []
        units.reserveCapacity(input.count / 2)
        var index = 0
        while index + 1 < input.count {
            let (first, second) = (UInt16(input[index]), UInt16(input[index + 1]))
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        held = Array(input[index...])
        // A high surrogate last may be the first half of a pair the next piece completes.
        if !final, let last = units.last, UTF16.isLeadSurrogate(last) {
            units.removeLast()
            held.insert(contentsOf: input[(index - 2)..<index], at: 0)
        }
        var output: [UInt8] = []
        output.reserveCapacity(units.count * 3 / 2)
        _ = Swift.transcode(units.makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: false) {
            output.append($0)
        }
        if final && !held.isEmpty {
            output.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD for the byte that makes no unit
            held = []
        }
        return output
    }
}
