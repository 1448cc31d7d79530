//! Who is acting and what they may do.
//!
//! [`Role`] and [`Principal`] travel to the browser too. [`Actor`], the caller of a service
//! function, exists only on the server, and only two places make one: the caller resolver
//! (`auth::caller`, from a session, an access token or an API key) and the operator paths
//! that act as the system (background jobs, the command line). Its constructors are
//! `pub(crate)`, so no handler, page or other crate can make one up.
//!
//! Service functions take the proof they need: `&Actor` and [`Actor::user`] /
//! [`Actor::writer`] for the caller's own data, [`Staff`] or [`Admin`] for staff tools. A
//! proof can only be had through the role (and key scope) check that makes it.

use super::types::Id;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A person's role. `vendor` is a customer whose storefront was approved (seed 004's matrix
/// plus vendors); `manager` and `admin` are staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Vendor,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::User, Role::Vendor, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Vendor => "vendor",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == value)
    }

    pub fn is_staff(self) -> bool {
        matches!(self, Self::Manager | Self::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown role {value:?}"))
    }
}

/// A signed-in person as the services see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub id: Id,
    pub role: Role,
}

#[cfg(feature = "ssr")]
pub use actor::{Access, Actor, Admin, Staff};

#[cfg(feature = "ssr")]
mod actor {
    use super::{Principal, Role};
    use crate::error::AppError;

    /// How much a signed-in caller may do, by the credential they used.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Access {
        /// A session or an access token: everything the role allows.
        Full,
        /// A read-write API key: reads and changes data, but not how the account signs in.
        KeyReadWrite,
        /// A read-only API key.
        ReadOnly,
    }

    /// The caller of a service function.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Actor(Kind);

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Kind {
        /// A background job or the operator at the command line; never a request.
        System,
        User {
            principal: Principal,
            access: Access,
        },
    }

    impl Actor {
        /// The system itself. Only jobs and the command-line operations use it.
        pub(crate) fn system() -> Self {
            Self(Kind::System)
        }

        /// A person whose credential the caller resolver has just checked.
        pub(crate) fn signed_in(principal: Principal, access: Access) -> Self {
            Self(Kind::User { principal, access })
        }

        pub fn is_system(&self) -> bool {
            matches!(self.0, Kind::System)
        }

        /// How the actor appears in the audit log (`system` or `user:<id>`).
        pub fn audit_label(&self) -> String {
            match &self.0 {
                Kind::System => "system".to_owned(),
                Kind::User { principal, .. } => format!("user:{}", principal.id),
            }
        }

        /// The signed-in person, if the actor is one.
        pub fn principal(&self) -> Option<&Principal> {
            match &self.0 {
                Kind::User { principal, .. } => Some(principal),
                Kind::System => None,
            }
        }

        /// The signed-in person, to read their own data; `UNAUTHORIZED` for the system.
        pub fn user(&self) -> Result<&Principal, AppError> {
            self.principal().ok_or(AppError::Unauthorized)
        }

        /// The signed-in person, to change their own data: a read-only API key is refused.
        pub fn writer(&self) -> Result<&Principal, AppError> {
            match &self.0 {
                Kind::User {
                    access: Access::ReadOnly,
                    ..
                } => Err(AppError::Forbidden),
                Kind::User { principal, .. } => Ok(principal),
                Kind::System => Err(AppError::Unauthorized),
            }
        }

        /// The signed-in person through their own sign-in (a session or an access token), to
        /// manage how the account signs in: API keys, password, email, sessions, closing it.
        /// An API key is refused whatever its scope, so a leaked key cannot mint more keys or
        /// take the account over.
        pub fn account_holder(&self) -> Result<&Principal, AppError> {
            match &self.0 {
                Kind::User {
                    principal,
                    access: Access::Full,
                } => Ok(principal),
                Kind::User { .. } => Err(AppError::Forbidden),
                Kind::System => Err(AppError::Unauthorized),
            }
        }

        fn may_write(&self) -> bool {
            !matches!(
                self.0,
                Kind::User {
                    access: Access::ReadOnly,
                    ..
                }
            )
        }

        fn has_role(&self, allowed: impl Fn(Role) -> bool) -> bool {
            match &self.0 {
                Kind::System => true,
                Kind::User { principal, .. } => allowed(principal.role),
            }
        }

        /// Proof that the actor is staff (manager or admin) or the system, to read staff data.
        pub fn staff(&self) -> Result<Staff<'_>, AppError> {
            if self.has_role(Role::is_staff) {
                Ok(Staff(self))
            } else {
                Err(AppError::Forbidden)
            }
        }

        /// Proof that the actor is an admin (or the system) acting with full access, to
        /// change what only admins change. A read-only API key never gives it.
        pub fn admin(&self) -> Result<Admin<'_>, AppError> {
            if self.has_role(|role| role == Role::Admin) && self.may_write() {
                Ok(Admin(self))
            } else {
                Err(AppError::Forbidden)
            }
        }
    }

    /// An actor proven to be staff. Only [`Actor::staff`] makes one.
    #[derive(Debug, Clone, Copy)]
    pub struct Staff<'a>(&'a Actor);

    impl Staff<'_> {
        pub fn actor(&self) -> &Actor {
            self.0
        }

        /// The same proof when the staff member may change things (not through a read-only
        /// key), to act on what staff moderate.
        pub fn writer(self) -> Result<Self, AppError> {
            if self.0.may_write() {
                Ok(self)
            } else {
                Err(AppError::Forbidden)
            }
        }
    }

    /// An actor proven to be an admin with full access. Only [`Actor::admin`] makes one.
    #[derive(Debug, Clone, Copy)]
    pub struct Admin<'a>(&'a Actor);

    impl<'a> Admin<'a> {
        pub fn actor(&self) -> &'a Actor {
            self.0
        }

        /// Every admin is staff.
        pub fn staff(&self) -> Staff<'a> {
            Staff(self.0)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::platform::types::Id;

        fn user(role: Role, access: Access) -> Actor {
            Actor::signed_in(
                Principal {
                    id: Id::from_trusted("u1"),
                    role,
                },
                access,
            )
        }

        #[test]
        fn only_staff_roles_produce_staff() {
            assert!(user(Role::User, Access::Full).staff().is_err());
            assert!(user(Role::Vendor, Access::Full).staff().is_err());
            assert!(user(Role::Manager, Access::Full).staff().is_ok());
            assert!(user(Role::Admin, Access::ReadOnly).staff().is_ok());
            assert!(Actor::system().staff().is_ok());
        }

        #[test]
        fn only_admins_with_full_access_produce_admin() {
            assert!(user(Role::Manager, Access::Full).admin().is_err());
            assert!(user(Role::Admin, Access::ReadOnly).admin().is_err());
            assert!(user(Role::Admin, Access::Full).admin().is_ok());
            assert!(Actor::system().admin().is_ok());
            assert_eq!(user(Role::Admin, Access::Full).audit_label(), "user:u1");
        }

        #[test]
        fn read_only_callers_may_read_but_not_write() {
            let reader = user(Role::User, Access::ReadOnly);
            assert!(reader.user().is_ok());
            assert_eq!(reader.writer(), Err(AppError::Forbidden));
            assert!(user(Role::User, Access::Full).writer().is_ok());
            assert_eq!(Actor::system().writer(), Err(AppError::Unauthorized));
        }

        #[test]
        fn only_a_sign_in_manages_credentials_never_an_api_key() {
            assert!(user(Role::User, Access::Full).account_holder().is_ok());
            let key = user(Role::User, Access::KeyReadWrite);
            assert!(key.writer().is_ok());
            assert_eq!(key.account_holder(), Err(AppError::Forbidden));
            let reader = user(Role::User, Access::ReadOnly);
            assert_eq!(reader.account_holder(), Err(AppError::Forbidden));
            assert_eq!(
                Actor::system().account_holder(),
                Err(AppError::Unauthorized)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
