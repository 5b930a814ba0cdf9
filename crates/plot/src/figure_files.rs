//! Writing a chart as the pair of files every figure of the docs is: `STEM.svg`, and
//! `STEM.png` at twice the nominal size (sharp in a README on high-density screens).

use std::path::Path;

use np_io::{ToolError, write_file};

use crate::{Chart, PngOptions};

impl Chart {
    /// Writes `{stem}.svg` and `{stem}.png`, each atomically (a failed run leaves no partial
    /// file). A PNG that cannot be drawn is a runtime error naming the file.
    pub fn write_figure(&self, stem: &str) -> Result<(), ToolError> {
        write_file(Path::new(&format!("{stem}.svg")), self.to_svg().as_bytes())?;
        let options = PngOptions { scale: 2.0, ..Default::default() };
        let png = self.to_png_with(&options).map_err(|e| ToolError::Runtime(anyhow::anyhow!("{stem}.png: {e}")))?;
        write_file(Path::new(&format!("{stem}.png")), &png)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Chart, Series};

    #[test]
    fn writes_the_svg_and_the_png_beside_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let stem = dir.path().join("curve");
        let mut chart = Chart::new("title", "x", "y");
        chart.series.push(Series::new("line", vec![(1.0, 2.0), (2.0, 3.0)]));
        chart.write_figure(stem.to_str().unwrap()).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("curve.svg")).unwrap();
        assert_eq!(svg, chart.to_svg());
        let png = std::fs::read(dir.path().join("curve.png")).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
