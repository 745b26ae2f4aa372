import Autodiff

/// Anything that turns a batch of images [B, C, H, W] into class logits [B, K].
public protocol ImageClassifier: AnyObject, Sendable {
    var classCount: Int { get }
    var preprocessing: Preprocessing { get }
    func logits(_ images: Variable) -> Variable
}
