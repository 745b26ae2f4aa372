/// Recently used models and images, most recent first; what the state file keeps.
public struct RecentItems: Codable, Equatable, Sendable {
    public static let limit = 10

    public private(set) var models: [String]
    public private(set) var images: [String]

    public init(models: [String] = [], images: [String] = []) {
        self.models = Array(models.prefix(Self.limit))
        self.images = Array(images.prefix(Self.limit))
    }

    public mutating func noteModel(_ reference: String) { Self.promote(reference, in: &models) }
    public mutating func noteImage(_ path: String) { Self.promote(path, in: &images) }

    private static func promote(_ item: String, in list: inout [String]) {
        list.removeAll { $0 == item }
        list.insert(item, at: 0)
        if list.count > limit { list.removeLast(list.count - limit) }
    }
}
