//! A trained ensemble of regression trees and its native evaluation.
//!
//! The evaluation is the one ONNX Runtime performs for the exported `TreeEnsembleRegressor`
//! (float32 thresholds, `BRANCH_LT`, `SUM` aggregation), step for step: features are rounded
//! to float32 as the model's `features` input is, a node sends `x < threshold` to its true
//! (left) child and a NaN to the side its missing flag names, leaf weights are added in float32
//! tree by tree, and the base value is added last. The two backends therefore agree to float
//! rounding (ONNX Runtime may sum the trees in other chunks when it parallelises).

/// One node of a tree. Children are indices into the tree's `nodes`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Node {
    /// `x[feature] < threshold` goes to `left` (ONNX's true branch), otherwise to `right`; a
    /// NaN goes to `left` when `missing_left`.
    Branch { feature: usize, threshold: f32, left: usize, right: usize, missing_left: bool },
    /// A leaf adds `weight` to the prediction.
    Leaf { weight: f32 },
}

/// One regression tree; `nodes[0]` is the root, and every child comes after its parent
/// (preorder), which also guarantees that evaluation ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// A sum of trees plus a base value, over feature vectors of `feature_count` numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeEnsemble {
    pub base_score: f32,
    pub trees: Vec<Tree>,
    pub feature_count: usize,
}

impl Tree {
    /// The weight of the leaf `features` falls into.
    pub fn leaf_weight(&self, features: &[f32]) -> f32 {
        let mut index = 0;
        loop {
            match self.nodes[index] {
                Node::Leaf { weight } => return weight,
                Node::Branch { feature, threshold, left, right, missing_left } => {
                    let x = features[feature];
                    let go_left = if x.is_nan() { missing_left } else { x < threshold };
                    index = if go_left { left } else { right };
                }
            }
        }
    }

    /// Checks that children follow their parents, feature indices fit, and thresholds and
    /// weights are finite.
    pub fn check(&self, feature_count: usize) -> Result<(), String> {
        if self.nodes.is_empty() {
            return Err("a tree has no nodes".into());
        }
        for (index, node) in self.nodes.iter().enumerate() {
            match *node {
                Node::Leaf { weight } if !weight.is_finite() => {
                    return Err(format!("leaf {index} has weight {weight}"));
                }
                Node::Leaf { .. } => {}
                Node::Branch { feature, threshold, left, right, .. } => {
                    if feature >= feature_count {
                        return Err(format!("node {index} splits on feature {feature} of {feature_count}"));
                    }
                    if threshold.is_nan() {
                        return Err(format!("node {index} has a NaN threshold"));
                    }
                    for child in [left, right] {
                        if child <= index || child >= self.nodes.len() {
                            return Err(format!("node {index} has child {child} (children follow their parent)"));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The tree's depth (a single leaf has depth 0).
    pub fn depth(&self) -> usize {
        fn below(nodes: &[Node], index: usize) -> usize {
            match nodes[index] {
                Node::Leaf { .. } => 0,
                Node::Branch { left, right, .. } => 1 + below(nodes, left).max(below(nodes, right)),
            }
        }
        below(&self.nodes, 0)
    }
}

impl TreeEnsemble {
    /// The prediction for one feature vector, rounded to float32 as the ONNX input is.
    ///
    /// # Panics
    /// If `features` is shorter than `feature_count`.
    pub fn predict(&self, features: &[f64]) -> f32 {
        let features: Vec<f32> = features[..self.feature_count].iter().map(|&x| x as f32).collect();
        self.predict_f32(&features)
    }

    /// The prediction for one float32 feature vector.
    pub fn predict_f32(&self, features: &[f32]) -> f32 {
        let sum = self.trees.iter().fold(0.0_f32, |sum, tree| sum + tree.leaf_weight(features));
        sum + self.base_score
    }

    /// Checks every tree (see [`Tree::check`]) and the base value.
    pub fn check(&self) -> Result<(), String> {
        if !self.base_score.is_finite() {
            return Err(format!("base value {} is not finite", self.base_score));
        }
        for (index, tree) in self.trees.iter().enumerate() {
            tree.check(self.feature_count).map_err(|e| format!("tree {index}: {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x0 < 1 ? (x1 < 0 ? 1 : 2) : 3, NaN at the root going right.
    fn stump() -> Tree {
        Tree {
            nodes: vec![
                Node::Branch { feature: 0, threshold: 1.0, left: 1, right: 4, missing_left: false },
                Node::Branch { feature: 1, threshold: 0.0, left: 2, right: 3, missing_left: true },
                Node::Leaf { weight: 1.0 },
                Node::Leaf { weight: 2.0 },
                Node::Leaf { weight: 3.0 },
            ],
        }
    }

    #[test]
    fn branches_compare_strictly_less_and_route_nan_by_the_flag() {
        let tree = stump();
        assert_eq!(tree.leaf_weight(&[0.5, -1.0]), 1.0);
        assert_eq!(tree.leaf_weight(&[0.5, 0.0]), 2.0);
        assert_eq!(tree.leaf_weight(&[1.0, -1.0]), 3.0);
        assert_eq!(tree.leaf_weight(&[f32::NAN, -1.0]), 3.0);
        assert_eq!(tree.leaf_weight(&[0.0, f32::NAN]), 1.0);
        assert_eq!(tree.depth(), 2);
        let ensemble = TreeEnsemble { base_score: 10.0, trees: vec![stump(), stump()], feature_count: 2 };
        assert_eq!(ensemble.predict(&[0.5, 0.5]), 14.0);
        ensemble.check().unwrap();
    }

    #[test]
    fn malformed_trees_are_refused() {
        let mut tree = stump();
        tree.nodes[1] = Node::Branch { feature: 1, threshold: 0.0, left: 0, right: 3, missing_left: true };
        assert!(tree.check(2).unwrap_err().contains("child 0"));
        assert!(stump().check(1).unwrap_err().contains("feature 1 of 1"));
    }
}
