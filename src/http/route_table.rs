//! The route table: every path the service answers, with the methods it takes there, kept as
//! data beside the router built from it. A module declares its routes once with [`routes!`];
//! each line yields both the table's entry and the axum route, from the same tokens, so the
//! table cannot list a method the router does not take or miss one it does. Tests compare the
//! table with `docs/openapi.json` and probe the running server with it.
//!
//! This module only assembles routes: it must not look at requests or decide anything.

use axum::Router;
use axum::routing::MethodRouter;

use super::AppState;

/// One path and the methods the router takes there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The path, in axum's syntax (`/api/v1/cases/{id}`), which is also OpenAPI's.
    pub path: &'static str,
    /// The methods, in lower case (`"get"`, `"post"`): the names of axum's method routers,
    /// which are OpenAPI's names for them.
    pub methods: &'static [&'static str],
}

/// A set of routes: the router they make, and their table.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<Route>,
}

impl Routes {
    /// No routes.
    pub(super) fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// Adds one route. Only [`routes!`] calls it, which makes `route` and `methods` from the
    /// same declaration.
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place routes are added, keeping the table complete"
    )]
    pub(super) fn add(mut self, route: Route, methods: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(route.path, methods);
        self.table.push(route);
        self
    }

    /// These routes and `other`'s.
    pub(super) fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Every route, in the order declared.
    pub fn table(&self) -> &[Route] {
        &self.table
    }

    /// The router, still waiting for its state.
    pub(super) fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Declares routes, one per line: `"/path" => get(handler).post(other),` (the path may be a
/// constant). Evaluates to [`Routes`], whose table lists each path with the names of the
/// method routers given for it.
macro_rules! routes {
    ($($path:expr => $method:ident($handler:expr) $(.$more:ident($more_handler:expr))*),+ $(,)?) => {
        $crate::http::route_table::Routes::new()
            $(.add(
                $crate::http::route_table::Route {
                    path: $path,
                    methods: &[stringify!($method) $(, stringify!($more))*],
                },
                ::axum::routing::$method($handler) $(.$more($more_handler))*,
            ))+
    };
}
pub(super) use routes;
