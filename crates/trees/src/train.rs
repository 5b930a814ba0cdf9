//! Fitting the ensemble with `forust-ml` and taking its trees out of the library.

use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};

use crate::ensemble::{Node, Tree, TreeEnsemble};

/// The library that fits the trees, as recorded in the predictor file.
pub const LIBRARY: &str = "forust-ml 0.8.0";

/// Boosting settings (squared loss; the base value is the mean label).
#[derive(Debug, Clone, PartialEq)]
pub struct TreeSettings {
    /// Number of boosting rounds (one tree each).
    pub trees: usize,
    /// Shrinkage applied to every leaf weight.
    pub learning_rate: f32,
    pub max_depth: usize,
    /// Fraction of the rows each tree sees (1 = all; below 1 draws from `seed`).
    pub subsample: f32,
    /// Fraction of the features each tree may split on (1 = all; below 1 draws from `seed`).
    pub colsample: f64,
    /// L2 penalty on leaf weights.
    pub l2: f32,
    /// Least hessian sum (for squared loss: rows) a leaf must hold.
    pub min_leaf_weight: f32,
    pub seed: u64,
}

impl Default for TreeSettings {
    /// 300 trees of depth at most 4, learning rate 0.05: on the zc500 splits the results hardly
    /// move between 100 and 1,000 trees or depths 3 to 6 (see BENCHMARKS.md).
    fn default() -> Self {
        TreeSettings {
            trees: 300,
            learning_rate: 0.05,
            max_depth: 4,
            subsample: 1.0,
            colsample: 1.0,
            l2: 1.0,
            min_leaf_weight: 1.0,
            seed: 0,
        }
    }
}

impl TreeSettings {
    /// The settings as one JSON object (the file's `training` metadata).
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "objective": "squared_loss",
            "trees": self.trees,
            "learning_rate": self.learning_rate,
            "max_depth": self.max_depth,
            "subsample": self.subsample,
            "colsample": self.colsample,
            "l2": self.l2,
            "min_leaf_weight": self.min_leaf_weight,
            "seed": self.seed,
            "nbins": NBINS,
        })
        .to_string()
    }

    fn check(&self) -> Result<(), String> {
        if self.trees == 0 {
            return Err("the number of trees must be at least 1".into());
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(format!("learning rate {} must be positive", self.learning_rate));
        }
        if self.max_depth == 0 {
            return Err("the maximum depth must be at least 1".into());
        }
        let fraction = |x: f64| x > 0.0 && x <= 1.0;
        if !fraction(f64::from(self.subsample)) || !fraction(self.colsample) {
            return Err(format!("subsample {} and colsample {} must be in (0, 1]", self.subsample, self.colsample));
        }
        if !(self.l2 >= 0.0 && self.min_leaf_weight >= 0.0) {
            return Err("l2 and the minimum leaf weight must not be negative".into());
        }
        Ok(())
    }
}

/// Histogram bins per feature (forust's default): split candidates are the bins' edges.
const NBINS: u16 = 256;

/// Fits an ensemble to `rows` (one feature vector each, all of `feature_count` numbers) and
/// `labels`. Single-threaded: the same data and settings give the same trees, bit for bit,
/// whatever the thread count (training on a few hundred rows takes well under a second).
pub fn fit(
    rows: &[Vec<f64>],
    labels: &[f64],
    feature_count: usize,
    settings: &TreeSettings,
) -> Result<TreeEnsemble, String> {
    settings.check()?;
    if rows.is_empty() || rows.len() != labels.len() {
        return Err(format!("{} feature rows for {} labels", rows.len(), labels.len()));
    }
    if let Some(row) = rows.iter().position(|row| row.len() != feature_count) {
        return Err(format!("row {row} has {} features, expected {feature_count}", rows[row].len()));
    }
    // forust reads a column-major matrix.
    let columns: Vec<f64> = (0..feature_count).flat_map(|c| rows.iter().map(move |row| row[c])).collect();
    let matrix = Matrix::new(&columns, rows.len(), feature_count);
    let mut booster = GradientBooster::default()
        .set_objective_type(ObjectiveType::SquaredLoss)
        .set_iterations(settings.trees)
        .set_learning_rate(settings.learning_rate)
        .set_max_depth(settings.max_depth)
        .set_subsample(settings.subsample)
        .set_colsample_bytree(settings.colsample)
        .set_l2(settings.l2)
        .set_min_leaf_weight(settings.min_leaf_weight)
        .set_nbins(NBINS)
        .set_seed(settings.seed)
        .set_parallel(false)
        // Our features are never missing (a missing feature is a bad line), and ONNX's trees
        // have two children: no third branch for missing values.
        .set_allow_missing_splits(false)
        .set_create_missing_branch(false)
        .set_initialize_base_score(true);
    booster.fit_unweighted(&matrix, labels, None).map_err(|e| format!("forust-ml: {e}"))?;
    let trees = booster.trees.iter().map(convert_tree).collect::<Result<Vec<_>, _>>()?;
    let ensemble = TreeEnsemble { base_score: booster.base_score as f32, trees, feature_count };
    ensemble.check()?;
    Ok(ensemble)
}

/// One forust tree in preorder (children after their parent, unreachable nodes dropped).
///
/// forust sends `x < split_value` to `left_child` (`Node::get_child_idx`) and a missing value
/// to `missing_node`, which without a missing branch is one of the two children; leaf weights
/// already include the learning rate.
fn convert_tree(tree: &forust_ml::tree::Tree) -> Result<Tree, String> {
    let source = &tree.nodes;
    let mut nodes: Vec<Node> = Vec::with_capacity(source.len());
    // (forust index, parent's slot to patch with our index, true for the left child)
    let mut stack: Vec<(usize, Option<(usize, bool)>)> = vec![(0, None)];
    while let Some((index, parent)) = stack.pop() {
        let node = source.get(index).ok_or_else(|| format!("forust tree refers to missing node {index}"))?;
        let ours = nodes.len();
        if let Some((slot, is_left)) = parent
            && let Node::Branch { left, right, .. } = &mut nodes[slot]
        {
            *(if is_left { left } else { right }) = ours;
        }
        if node.is_leaf {
            nodes.push(Node::Leaf { weight: node.weight_value });
            continue;
        }
        if node.missing_node != node.left_child && node.missing_node != node.right_child {
            return Err(format!("forust node {index} has a separate missing branch"));
        }
        nodes.push(Node::Branch {
            feature: node.split_feature,
            threshold: node.split_value as f32,
            left: 0,
            right: 0,
            missing_left: node.missing_node == node.left_child,
        });
        // Right first, so that the left subtree is numbered first (preorder).
        stack.push((node.right_child, Some((ours, false))));
        stack.push((node.left_child, Some((ours, true))));
        if nodes.len() + stack.len() > 4 * source.len() + 4 {
            return Err("forust tree is not a tree (a node is reached twice)".into());
        }
    }
    Ok(Tree { nodes })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y = 10 + 3·[x0 ≥ 0.5] + x1, with x2 noise-free and useless.
    fn data() -> (Vec<Vec<f64>>, Vec<f64>) {
        let rows: Vec<Vec<f64>> =
            (0..200).map(|i| vec![(i % 10) as f64 / 10.0, ((i * 7) % 13) as f64 / 13.0, (i % 3) as f64]).collect();
        let labels = rows.iter().map(|r| 10.0 + if r[0] >= 0.5 { 3.0 } else { 0.0 } + r[1]).collect();
        (rows, labels)
    }

    #[test]
    fn the_converted_trees_predict_what_forust_predicts() {
        let (rows, labels) = data();
        let settings = TreeSettings { trees: 50, learning_rate: 0.2, ..TreeSettings::default() };
        let ensemble = fit(&rows, &labels, 3, &settings).unwrap();
        assert_eq!(ensemble.trees.len(), 50);
        assert!(ensemble.trees.iter().all(|t| t.depth() <= 4));
        let error: f64 =
            rows.iter().zip(&labels).map(|(row, y)| (ensemble.predict(row) as f64 - y).powi(2)).sum::<f64>()
                / rows.len() as f64;
        assert!(error < 0.01, "training MSE {error}");
    }

    #[test]
    fn the_same_seed_gives_the_same_trees_even_when_subsampling() {
        let (rows, labels) = data();
        let settings = TreeSettings { trees: 20, subsample: 0.5, colsample: 0.7, seed: 3, ..TreeSettings::default() };
        let a = fit(&rows, &labels, 3, &settings).unwrap();
        assert_eq!(a, fit(&rows, &labels, 3, &settings).unwrap());
        let b = fit(&rows, &labels, 3, &TreeSettings { seed: 4, ..settings }).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn bad_settings_are_refused() {
        let (rows, labels) = data();
        for settings in [
            TreeSettings { trees: 0, ..TreeSettings::default() },
            TreeSettings { learning_rate: 0.0, ..TreeSettings::default() },
            TreeSettings { subsample: 1.5, ..TreeSettings::default() },
        ] {
            assert!(fit(&rows, &labels, 3, &settings).is_err());
        }
        assert!(fit(&rows, &labels[1..], 3, &TreeSettings::default()).is_err());
    }
}
