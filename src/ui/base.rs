//! The path the cockpit is mounted under (`""` at the root of its host,
//! `"/cockpit"` for `https://heritage.com/cockpit`), for the addresses that
//! views write by hand: files, the event stream, forms that leave the app.
//! Links inside the app use the router's `<A>`, which adds it itself.

/// The mount path: from the settings on the server, from the page on the
/// browser (the shell writes it into `<meta name="rpm-base">`).
pub fn base() -> String {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<crate::server::state::AppState>()
            .map(|state| state.settings.base_path())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        BROWSER_BASE.get().cloned().unwrap_or_default()
    }
}

/// An absolute path of the cockpit (`/events`) as the browser must ask
/// for it (`/cockpit/events`). The home page is the mount path itself:
/// `/` is `/cockpit`, `/?week=…` is `/cockpit?week=…`.
pub fn at(path: &str) -> String {
    under(&base(), path)
}

/// `path` under the mount path `base`.
pub fn under(base: &str, path: &str) -> String {
    match path.strip_prefix('/') {
        Some(rest) if !base.is_empty() && (rest.is_empty() || rest.starts_with('?')) => {
            format!("{base}{rest}")
        }
        _ => format!("{base}{path}"),
    }
}

#[cfg(not(feature = "ssr"))]
static BROWSER_BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Browser start-up: reads the mount path from the page, and sends server
/// functions under it (`/cockpit/api/...`).
#[cfg(feature = "hydrate")]
pub fn init_from_page() {
    let base = leptos::prelude::document()
        .query_selector("meta[name=rpm-base]")
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default();
    if !base.is_empty() {
        let leaked: &'static str = Box::leak(base.clone().into_boxed_str());
        let _ = leptos::server_fn::client::try_set_server_url(leaked);
    }
    let _ = BROWSER_BASE.set(base);
}

#[cfg(test)]
mod tests {
    use super::under;

    #[test]
    fn paths_go_under_the_mount_path_and_home_is_the_path_itself() {
        assert_eq!(under("", "/"), "/");
        assert_eq!(under("", "/songs"), "/songs");
        assert_eq!(under("", "/?week=2026-11-30"), "/?week=2026-11-30");
        assert_eq!(under("/cockpit", "/"), "/cockpit");
        assert_eq!(
            under("/cockpit", "/?week=2026-11-30"),
            "/cockpit?week=2026-11-30"
        );
        assert_eq!(under("/cockpit", "/songs"), "/cockpit/songs");
        assert_eq!(
            under("/cockpit", "/events?after=3"),
            "/cockpit/events?after=3"
        );
    }
}
