//! The full funnel: actions per stage and the bottleneck.

use serde::{Deserialize, Serialize};

use crate::model::FunnelStage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageStats {
    pub stage: FunnelStage,
    pub actions: u32,
    pub completed: u32,
    pub blocked: u32,
    /// Average days in the stage (docs/metrics.md); `None` for an empty
    /// stage.
    pub avg_days: Option<f64>,
    /// Average days x share still open: higher is more of a bottleneck.
    pub bottleneck_score: f64,
    /// Owners with the most open actions in this stage, most first.
    pub busiest_owners: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelPanel {
    pub stages: Vec<StageStats>,
    /// The funnel diagram as an ECharts option (written by the server).
    #[serde(default)]
    pub chart: crate::model::chart::ChartOption,
}

impl FunnelPanel {
    /// The stage with the highest positive bottleneck score.
    pub fn bottleneck(&self) -> Option<&StageStats> {
        crate::model::analytics::highest_score(&self.stages, |s| s.bottleneck_score)
    }

    /// What to do about the bottleneck, from the numbers.
    pub fn recommendation(&self) -> String {
        let Some(s) = self.bottleneck() else {
            return "Every stage is clear: keep the pace.".into();
        };
        let mut text = String::new();
        if s.blocked > 0 {
            text.push_str(&format!(
                "Unblock the {} blocked {} action{} first. ",
                s.blocked,
                s.stage.as_str(),
                if s.blocked == 1 { "" } else { "s" }
            ));
        }
        let open = s.actions - s.completed;
        match s.busiest_owners.as_slice() {
            [] => text.push_str(&format!("Give its {open} open actions owners.")),
            [one] => text.push_str(&format!(
                "{one} holds most of its {open} open actions: hand some to another owner."
            )),
            [a, b, ..] => text.push_str(&format!(
                "Parallelize {a} + {b} tasks: they hold most of its {open} open actions."
            )),
        }
        text
    }

    pub fn completion_percent(&self) -> u8 {
        let (done, all) = self.stages.iter().fold((0, 0), |(d, a), s| {
            (d + s.completed as usize, a + s.actions as usize)
        });
        crate::model::week::percent(done, all)
    }
}
