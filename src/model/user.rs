//! Who is signed in, as the browser sees it.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What a person may do (spec 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, read and write: Jesse.
    Admin,
    /// The whole dashboard, read-only.
    Vip,
    /// Read-only, and only their own actions and the results holding them.
    Team,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Admin, Self::Vip, Self::Team];

    /// The value stored in the database and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Vip => "vip",
            Self::Team => "team",
        }
    }

    pub fn parse(text: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                AppError::BadRequest(format!("unknown role {text:?} (admin, vip or team)"))
            })
    }

    /// Only admins change anything.
    pub fn can_edit(self) -> bool {
        self == Self::Admin
    }
}

/// The signed-in person, for the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_only_admins_edit() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert_eq!(Role::parse(" VIP ").unwrap(), Role::Vip);
        assert!(Role::parse("owner").is_err());
        assert!(Role::Admin.can_edit());
        assert!(!Role::Vip.can_edit() && !Role::Team.can_edit());
    }
}
