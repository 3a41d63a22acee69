//! The cockpit's charts as ECharts options, written here with charming and
//! sent with their panels ([`ChartOption`]): the browser hands them to
//! ECharts as they are, so charming and its serializers stay out of the
//! browser's bundle.

use charming::component::{Axis, Grid, Legend};
use charming::datatype::{DataPoint, DataPointItem};
use charming::element::{
    AxisLabel, AxisType, ItemStyle, Label, LabelPosition, Orient, Tooltip, Trigger,
};
use charming::series::{Bar, Funnel};
use charming::Chart;

use crate::model::chart::{colors, ChartOption, ChartSpec};
use crate::model::panels::FunnelPanel;

fn option(chart: &Chart) -> ChartOption {
    // A chart is plain data: serializing it cannot fail.
    ChartOption(serde_json::to_string(chart).unwrap_or_default())
}

/// A bar chart. Money is shown in thousands ("$12K") so the value axis
/// stays narrow on a phone; axis labels are 11 px.
pub fn bars(spec: &ChartSpec) -> ChartOption {
    let scale = if spec.money { 1000.0 } else { 1.0 };
    let small = || AxisLabel::new().font_size(11);
    // Every category is labelled: the labels are short ("11/9").
    let mut category = Axis::new()
        .type_(AxisType::Category)
        .axis_label(small().interval(0))
        .data(spec.categories.clone());
    let mut value = Axis::new().type_(AxisType::Value).axis_label(small());
    if let Some(max) = spec.max {
        value = value.max(max / scale);
    }
    if spec.money {
        value = value.axis_label(small().formatter("${value}K"));
    }
    if spec.horizontal {
        category = category.inverse(true);
    }
    let (x, y) = if spec.horizontal {
        (value, category)
    } else {
        (category, value)
    };
    let top = if spec.series.len() > 1 { 28 } else { 8 };
    let mut chart = Chart::new()
        .grid(
            Grid::new()
                .left(4)
                .right(12)
                .top(top)
                .bottom(4)
                .contain_label(true),
        )
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .x_axis(x)
        .y_axis(y);
    if spec.series.len() > 1 {
        chart = chart.legend(Legend::new().top(0));
    }
    for s in &spec.series {
        let data: Vec<DataPoint> = s
            .values
            .iter()
            .map(|v| DataPoint::from((v / scale * 100.0).round() / 100.0))
            .collect();
        let mut bar = Bar::new()
            .name(s.name.clone())
            .data(data)
            .item_style(ItemStyle::new().color(s.color));
        if spec.stacked {
            bar = bar.stack("all");
        }
        chart = chart.series(bar);
    }
    option(&chart)
}

/// The funnel diagram of the specification (§2.3): one band per stage, top
/// to bottom in funnel order, as wide as its share of the actions; the
/// bottleneck's band is red and says so.
pub fn funnel(f: &FunnelPanel) -> ChartOption {
    let bottleneck = f.bottleneck().map(|s| s.stage);
    let shades = ["#1d4ed8", "#2563eb", "#3b82f6"];
    let data: Vec<DataPoint> = f
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let hot = bottleneck == Some(s.stage);
            let name = if hot {
                format!("{} · bottleneck", s.stage.label())
            } else {
                s.stage.label().to_string()
            };
            let color = if hot {
                colors::BLOCKED
            } else {
                shades[i.min(shades.len() - 1)]
            };
            DataPointItem::new(f64::from(s.actions))
                .name(name)
                .item_style(ItemStyle::new().color(color))
                .into()
        })
        .collect();
    let most = f.stages.iter().map(|s| s.actions).max().unwrap_or(0);
    let chart = Chart::new()
        .tooltip(Tooltip::new().trigger(Trigger::Item))
        .series(
            Funnel::new()
                .name("Actions")
                .orient(Orient::Vertical)
                .gap(2)
                .min(0)
                .max(f64::from(most.max(1)))
                .min_size("30%")
                .left("5%")
                .right("5%")
                .top(4)
                .bottom(4)
                .label(
                    Label::new()
                        .show(true)
                        .position(LabelPosition::Inside)
                        .formatter("{b}: {c}")
                        .color("#fff")
                        .font_size(13),
                )
                .data(data),
        );
    // charming writes `Sort::None` as `null`, which ECharts reads as its
    // default (largest on top): the funnel's order is the stages' own.
    let mut value = serde_json::to_value(&chart).unwrap_or_default();
    if let Some(series) = value.pointer_mut("/series/0") {
        series["sort"] = "none".into();
    }
    ChartOption(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::chart::ChartSeries;
    use crate::model::panels::StageStats;
    use crate::model::FunnelStage;

    fn json(o: &ChartOption) -> serde_json::Value {
        serde_json::from_str(&o.0).expect("an option is JSON")
    }

    #[test]
    fn money_bars_are_in_thousands_with_legible_labels() {
        let spec = ChartSpec {
            categories: vec!["11/9".into(), "11/16".into()],
            series: vec![ChartSeries {
                name: "actual".into(),
                values: vec![1500.0, 125_000.0],
                color: colors::ACCENT,
            }],
            horizontal: false,
            stacked: false,
            max: None,
            money: true,
        };
        let o = json(&bars(&spec));
        assert_eq!(o["series"][0]["type"], "bar");
        assert_eq!(o["series"][0]["data"], serde_json::json!([1.5, 125.0]));
        assert_eq!(o["yAxis"]["axisLabel"]["formatter"], "${value}K");
        assert_eq!(o["xAxis"]["data"], serde_json::json!(["11/9", "11/16"]));
        assert_eq!(o["xAxis"]["axisLabel"]["interval"], 0.0);
    }

    #[test]
    fn the_funnel_keeps_stage_order_and_marks_the_bottleneck() {
        let stage = |stage, actions, score| StageStats {
            stage,
            actions,
            completed: 0,
            blocked: 0,
            avg_days: Some(2.0),
            bottleneck_score: score,
            busiest_owners: vec![],
        };
        let f = FunnelPanel {
            stages: vec![
                stage(FunnelStage::Top, 12, 0.5),
                stage(FunnelStage::Middle, 15, 3.8),
                stage(FunnelStage::Bottom, 7, 0.2),
            ],
            chart: ChartOption::default(),
        };
        let o = json(&funnel(&f));
        let series = &o["series"][0];
        assert_eq!(series["type"], "funnel");
        assert_eq!(series["sort"], "none");
        let data = series["data"].as_array().unwrap();
        let names: Vec<_> = data.iter().map(|d| d["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                FunnelStage::Top.label().to_string(),
                format!("{} · bottleneck", FunnelStage::Middle.label()),
                FunnelStage::Bottom.label().to_string()
            ]
        );
        assert_eq!(data[1]["value"], 15.0);
        assert_eq!(data[1]["itemStyle"]["color"], colors::BLOCKED);
        assert_ne!(data[0]["itemStyle"]["color"], colors::BLOCKED);
    }
}
