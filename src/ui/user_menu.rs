//! The signed-in person and the sign-out button, in the top bar.

use leptos::prelude::*;

use crate::server_fns::me::who_am_i;
use crate::ui::base::at;

/// Name, role and a sign-out form (a plain POST: works without JavaScript).
#[component]
pub fn UserMenu() -> impl IntoView {
    // Who is signed in does not change while the page is open.
    let who = OnceResource::new(who_am_i());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                who.await.ok().map(|me| view! {
                    <div class="user-menu">
                        <span class="user-name">{me.display_name}</span>
                        <span class="role-badge" data-role=me.role.as_str()>{me.role.as_str()}</span>
                        {(me.role == crate::model::Role::Admin).then(|| view! { <a class="sync-link" href=at("/sync")>"Sync"</a> })}
                        // A full page load: the page's push script runs then.
                        <a class="sync-link" href=at("/settings/notifications") rel="external" title="Notification settings">"Alerts"</a>
                        <form method="post" action=at("/auth/logout")>
                            <button type="submit" class="sign-out">"Sign out"</button>
                        </form>
                    </div>
                })
            })}
        </Suspense>
    }
}
