import Foundation

/// Training losses with their gradients.
public enum Loss {
    /// Mean softmax cross-entropy over a [batch, classes] logit buffer with
    /// label smoothing ε (targets (1−ε)·onehot + ε/C). Writes d loss/d logits
    /// into `logitGradient` (overwriting) when given.
    public static func softmaxCrossEntropy(
        logits: UnsafePointer<Float>, batch: Int, classes: Int, labels: [Int], smoothing: Float = 0,
        logitGradient: UnsafeMutablePointer<Float>?
    ) -> Float {
        let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: batch * classes)
        defer { probabilities.deallocate() }
        Softmax.forward(logits, probabilities, rows: batch, columns: classes)
        let offTarget = smoothing / Float(classes)
        let onTarget = 1 - smoothing + offTarget
        var total: Double = 0
        for item in 0..<batch {
            let row = probabilities + item * classes
            for label in 0..<classes {
                let target = label == labels[item] ? onTarget : offTarget
                if target > 0 { total -= Double(target) * Double(Foundation.log(max(row[label], 1e-30))) }
                logitGradient?[item * classes + label] = (row[label] - target) / Float(batch)
            }
        }
        return Float(total / Double(batch))
    }

    /// Mean over items of KL(p_teacher ‖ p_student) between softmax
    /// distributions at temperature 1; gradient w.r.t. the student logits
    /// only (the teacher is detached). Used for self-distillation.
    public static func distillation(
        student: UnsafePointer<Float>, teacher: UnsafePointer<Float>, batch: Int, classes: Int,
        studentGradient: UnsafeMutablePointer<Float>?
    ) -> Float {
        let count = batch * classes
        let studentProbabilities = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let teacherProbabilities = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer {
            studentProbabilities.deallocate()
            teacherProbabilities.deallocate()
        }
        Softmax.forward(student, studentProbabilities, rows: batch, columns: classes)
        Softmax.forward(teacher, teacherProbabilities, rows: batch, columns: classes)
        var total: Double = 0
        for index in 0..<count {
            let p = teacherProbabilities[index], q = studentProbabilities[index]
            if p > 0 { total += Double(p) * (Double(Foundation.log(p)) - Double(Foundation.log(max(q, 1e-30)))) }
            studentGradient?[index] = (q - p) / Float(batch)
        }
        return Float(total / Double(batch))
    }

    /// Mean squared error; writes d loss/d prediction when asked.
    public static func meanSquaredError(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
        predictionGradient: UnsafeMutablePointer<Float>?
    ) -> Float {
        var total: Double = 0
        for index in 0..<count {
            let difference = prediction[index] - target[index]
            total += Double(difference * difference)
            predictionGradient?[index] = 2 * difference / Float(count)
        }
        return Float(total / Double(max(count, 1)))
    }
}
