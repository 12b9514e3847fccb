/// A growable run of bytes in manually managed memory, for code that appends a few bytes at a time on a hot
/// path (a libcurl callback): no reference count, uniqueness check or exclusivity check per append.
///
/// The owner calls ``free()`` exactly once; copying the value copies the pointer, not the bytes.
struct ByteBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// A copy of the bytes.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(__always)
    mutating func append(_ bytes: UnsafePointer<UInt8>, count added: Int) {
        guard added > 0 else { return }
        if count + added > capacity { grow(toHold: added) }
        (base + count).update(from: bytes, count: added)
        count += added
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: 1) }
        base[count] = byte
        count += 1
    }

    /// Drops the last byte, if any.
    mutating func removeLast() {
        if count > 0 { count -= 1 }
    }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() {
        count = 0
    }

    /// Releases the memory; the buffer (and every copy of it) is unusable afterwards.
    func free() {
        base.deallocate()
    }

    @inline(never)
    private mutating func grow(toHold added: Int) {
        var grown = capacity * 2
        while grown < count + added { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = grown
    }
}
