/// Names a data set the way the command line and the workbench accept it:
/// `fashion-mnist` (or the Debian package's folder) for Fashion-MNIST, any
/// other path for a folder of class sub-folders.
public enum DataSets {
    public enum Split: String, Sendable, CaseIterable {
        case train, test
    }

    public static let fashionMNISTName = "fashion-mnist"

    public static func open(_ specification: String, split: Split) throws -> any LabelledImageSource {
        let trimmed = specification.hasSuffix("/") ? String(specification.dropLast()) : specification
        if trimmed == fashionMNISTName || trimmed == FashionMNIST.defaultDirectory {
            return try FashionMNIST(split: split == .train ? .train : .test)
        }
        return try ImageFolder(directory: specification, split: split == .train ? .train : .test)
    }
}
