/// One part of a list split across machines by host: `K/N`, 1-based.
///
/// A URL belongs to shard `1 + (FNV-1a-64(lower-cased host) mod N)`: the 64-bit FNV-1a hash (offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3) of the host's UTF-8 bytes, port ignored. Every URL of one host
/// lands in one shard, so per-host politeness holds across the fleet. Lines that are not valid URLs belong
/// to shard 1, so each gets exactly one record fleet-wide.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// This shard's number, 1...count.
    public let index: Int
    /// How many shards there are.
    public let count: Int

    /// Creates shard `index` of `count`; `nil` unless `1 <= index <= count`.
    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// The shard (1-based) that `host` belongs to among `count`.
    public static func number(ofHost host: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in host.lowercased().utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Int(hash % UInt64(count)) + 1
    }

    /// Whether `item` belongs to this shard.
    public func contains(_ item: InputItem) -> Bool {
        switch item {
        case .fetch(let url): Self.number(ofHost: url.host, count: count) == index
        case .rejected: index == 1
        }
    }
}
