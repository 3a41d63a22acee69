//! The browser's client for the reading server functions: the browser's
//! `fetch` client, plus a header on the reloads that live events cause.
//! A page left open on a wall screen reloads its panels whenever Jesse
//! changes something; those reloads are not the viewer's activity, so they
//! must not keep the session alive past the idle hour
//! (`session_idle_minutes`). The server reads the header in its one guard
//! (`server::auth::guard`).

use std::cell::Cell;

use leptos::server_fn::client::browser::BrowserClient;
use leptos::server_fn::client::Client;
use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;

/// Sent with a reload caused by a live event (value `1`).
pub const LIVE_RELOAD_HEADER: &str = "x-rpm-live-reload";

thread_local! {
    /// Set while the panels reload for a live event: from the event until
    /// the end of the browser task that handles it.
    static RELOADING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `bump` (which makes panels reload) with the reloads it starts
/// marked. A resource refetches in microtasks of the current task, where
/// its server function builds and sends its request; the mark is cleared by
/// a timer, which runs only after those microtasks.
pub fn marking_reloads(bump: impl FnOnce()) {
    RELOADING.set(true);
    bump();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let clear = wasm_bindgen::closure::Closure::once_into_js(|| RELOADING.set(false));
        if leptos::prelude::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(clear.unchecked_ref(), 0)
            .is_err()
        {
            RELOADING.set(false);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    RELOADING.set(false);
}

/// [`BrowserClient`], marking live reloads.
pub struct PanelClient;

impl<E, IS, OS> Client<E, IS, OS> for PanelClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(
        req: BrowserRequest,
    ) -> impl std::future::Future<Output = Result<BrowserResponse, E>> + Send {
        if RELOADING.get() {
            req.headers().set(LIVE_RELOAD_HEADER, "1");
        }
        <BrowserClient as Client<E, IS, OS>>::send(req)
    }

    #[allow(clippy::type_complexity)]
    fn open_websocket(
        path: &str,
    ) -> impl std::future::Future<
        Output = Result<
            (
                impl futures::Stream<
                        Item = Result<leptos::server_fn::Bytes, leptos::server_fn::Bytes>,
                    > + Send
                    + 'static,
                impl futures::Sink<leptos::server_fn::Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl std::future::Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future);
    }
}
