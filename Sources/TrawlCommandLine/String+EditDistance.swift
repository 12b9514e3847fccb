extension String {
    /// The Levenshtein distance to `other`: the fewest single-character insertions, deletions and
    /// substitutions that turn one string into the other.
    func editDistance(to other: String) -> Int {
        let source = Array(self)
        let target = Array(other)
        guard !source.isEmpty else { return target.count }
        guard !target.isEmpty else { return source.count }
        // One row of the dynamic-programming table at a time: `previous[j]` is the distance between the
        // first `i - 1` characters of `source` and the first `j` of `target`.
        var previous = Array(0...target.count)
        var current = [Int](repeating: 0, count: target.count + 1)
        for i in 1...source.count {
            current[0] = i
            for j in 1...target.count {
                let substitution = previous[j - 1] + (source[i - 1] == target[j - 1] ? 0 : 1)
                current[j] = Swift.min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[target.count]
    }
}
