//! The catalog types that pages and the API show.

use crate::platform::types::{Id, Money, Timestamp};
use serde::{Deserialize, Deserializer, Serialize};

/// A category, in tree order: each one follows its parent, siblings by position then name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Category {
    pub id: Id,
    pub parent_id: Option<Id>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub position: i64,
    /// 0 for a top-level category, 1 below it, 2 below that.
    pub depth: u8,
}

/// A new category (staff). Values are taken as sent; an absent or empty slug is made from
/// the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "name": "Automation",
    "slug": "automation",
    "parentId": null,
    "description": "Workflows for n8n, Zapier and Make.",
    "position": 0
})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCategory {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::name))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::validate::slug_schema))]
    pub slug: Option<String>,
    /// The parent category's id; absent or `null` for a top-level category.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub parent_id: Option<Id>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::catalog::rules::schema::optional_description)
    )]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000, value_type = Option<i64>))]
    pub position: Option<i64>,
}

/// A change to a category (staff); absent fields stay as they are, and `"parentId": null`
/// moves it to the top level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"name": "Automations", "parentId": null})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryChanges {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::optional_name))]
    pub name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::validate::slug_schema))]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub parent_id: Option<Option<Id>>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::catalog::rules::schema::optional_description)
    )]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 1000, value_type = Option<i64>))]
    pub position: Option<i64>,
}

/// A field that was sent, `null` included (`Some(None)`); an absent one stays `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Where a product stands: only `active` ones are public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ProductStatus {
    Draft,
    Pending,
    Active,
    Rejected,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 4] = [Self::Draft, Self::Pending, Self::Active, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }
}

impl TryFrom<String> for ProductStatus {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| format!("unknown product status {value:?}"))
    }
}

/// One picture of a product's gallery (the first is its cover).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductImage {
    pub id: Id,
    /// The image as uploaded (path under the site).
    pub url: String,
    /// A copy at most 480 pixels on its longer side; the full image until the job that makes
    /// it has run.
    pub thumbnail_url: String,
    pub width: u32,
    pub height: u32,
    /// Text for people who cannot see the image.
    pub alt: String,
}

/// A thumbnail's longer side, in pixels.
pub const THUMBNAIL_SIDE: u32 = 480;

impl ProductImage {
    /// The `srcset` of the image: its thumbnail (once made) and itself, by width.
    pub fn srcset(&self) -> String {
        let original = format!("{} {}w", self.url, self.width);
        if self.thumbnail_url == self.url || self.width <= THUMBNAIL_SIDE {
            return original;
        }
        let thumbnail_width = if self.width >= self.height {
            THUMBNAIL_SIDE
        } else {
            (u64::from(self.width) * u64::from(THUMBNAIL_SIDE) / u64::from(self.height.max(1)))
                .try_into()
                .unwrap_or(THUMBNAIL_SIDE)
        };
        format!("{} {thumbnail_width}w, {original}", self.thumbnail_url)
    }
}

/// Why an uploaded product image was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageProblem {
    Missing,
    TooLarge,
    NotAnImage,
    TooSmall,
    TooBig,
    TooMany,
}

impl ImageProblem {
    pub const ALL: [ImageProblem; 6] = [
        Self::Missing,
        Self::TooLarge,
        Self::NotAnImage,
        Self::TooSmall,
        Self::TooBig,
        Self::TooMany,
    ];

    /// Its name in a URL (`?image=too-large`), for the page the upload returns to.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too-large",
            Self::NotAnImage => "not-an-image",
            Self::TooSmall => "too-small",
            Self::TooBig => "too-big",
            Self::TooMany => "too-many",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|problem| problem.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Choose an image to upload.",
            Self::TooLarge => "The image is larger than 5 MB.",
            Self::NotAnImage => "Upload a PNG, JPEG or WebP image.",
            Self::TooSmall => "The image must be at least 200 × 200 pixels.",
            Self::TooBig => "The image must be at most 6000 × 6000 pixels.",
            Self::TooMany => "A product has at most 8 images; remove one first.",
        }
    }
}

/// Why a product file was refused. The editor's upload form returns to the page with its
/// code (`?file=too-large`), and the page shows the message of a known code only — a link
/// cannot make the page say anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileProblem {
    Missing,
    TooLarge,
    TooMany,
}

impl FileProblem {
    pub const ALL: [FileProblem; 3] = [Self::Missing, Self::TooLarge, Self::TooMany];

    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too-large",
            Self::TooMany => "too-many",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|problem| problem.code() == code)
    }

    /// The field's message, the same for the API and the page.
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "Choose a file to upload.",
            Self::TooLarge => "The file is larger than 100 MB.",
            Self::TooMany => "A product delivers at most 5 files; remove one first.",
        }
    }

    /// The problem a refusal's message names, if it is one of these.
    pub fn from_message(message: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|problem| problem.message() == message)
    }
}

/// A product as its vendor and staff see it (and, when active, everyone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: Id,
    pub vendor_id: Id,
    pub vendor_name: String,
    pub vendor_slug: String,
    pub category_id: Id,
    pub category_slug: String,
    pub title: String,
    pub slug: String,
    pub summary: String,
    /// Markdown, as the vendor wrote it.
    pub description: String,
    /// The description rendered to HTML and sanitised (safe to put in a page).
    pub description_html: String,
    pub price: Money,
    /// The price before a discount, as the vendor set it; shown struck through when above
    /// `price` (then `onSale`).
    pub compare_at: Option<Money>,
    pub on_sale: bool,
    pub tags: Vec<String>,
    pub status: ProductStatus,
    /// Why staff rejected it (shown to the vendor).
    pub rejection_reason: Option<String>,
    pub featured: bool,
    pub view_count: i64,
    /// The gallery, cover first.
    pub images: Vec<ProductImage>,
    /// The mean of its visible reviews' stars (0 when it has none).
    pub rating_average: f64,
    pub rating_count: i64,
    pub published_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// How a product list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ProductSort {
    /// Best match first (with a search; otherwise newest).
    Relevance,
    Newest,
    Price,
    /// Best rated first (then most reviewed).
    Rating,
    /// Most viewed first.
    Popularity,
}

impl ProductSort {
    pub const ALL: [ProductSort; 5] = [
        Self::Relevance,
        Self::Newest,
        Self::Price,
        Self::Rating,
        Self::Popularity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Newest => "newest",
            Self::Price => "price",
            Self::Rating => "rating",
            Self::Popularity => "popularity",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == value)
    }
}

/// What the storefront's product list asks for (all of it kept in the URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrowseQuery {
    /// Words to find in titles, summaries, descriptions and tags.
    pub search: Option<String>,
    /// A category's slug; its subcategories' products are included.
    pub category: Option<String>,
    /// A storefront's slug.
    pub vendor: Option<String>,
    pub tag: Option<String>,
    /// Minor units, inclusive.
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    /// Products rated on average at least this many stars (1–5).
    pub min_rating: Option<u8>,
    pub sort: Option<ProductSort>,
    /// `true` for ascending; the default is each sort's natural order (price: ascending,
    /// newest, rating and popularity: descending).
    pub ascending: Option<bool>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

/// A product as its vendor writes it (`POST /vendors/me/products`, and `PUT` to change it).
/// Amounts are minor units in the site's currency. Values are taken as sent; an absent or
/// empty slug is made from the title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "title": "Lead-scoring workflow for n8n",
    "summary": "Scores inbound leads with an LLM and routes them to your CRM.",
    "description": "## What you get\n\n- The workflow JSON\n- A setup guide",
    "price": 2900,
    "compareAt": 3900,
    "categoryId": "00000000-0000-0000-0000-000000000000",
    "tags": ["n8n", "sales"]
})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductInput {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::title))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::platform::validate::slug_schema))]
    pub slug: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::optional_summary))]
    pub summary: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::catalog::rules::schema::optional_product_description)
    )]
    pub description: Option<String>,
    /// Minor units, 0 to 100,000,000.
    #[cfg_attr(feature = "ssr", schema(minimum = 0, maximum = 100_000_000))]
    pub price: i64,
    /// Minor units; shown struck through when above `price`; absent or `null` for none.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 100_000_000, value_type = Option<i64>))]
    pub compare_at: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub category_id: Id,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::tags))]
    pub tags: Vec<String>,
}

/// A buyer's review of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub id: Id,
    pub product_id: Id,
    /// The reviewer as shown: first name and last initial.
    pub author: String,
    /// 1 to 5 stars.
    pub rating: u8,
    pub body: String,
    /// Hidden by staff: out of the product's page and rating.
    pub hidden: bool,
    /// The vendor's one reply.
    pub reply: Option<String>,
    pub replied_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A new review (`POST /products/{id}/reviews`). Values are taken as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({
    "rating": 5,
    "body": "Saved me a day of wiring; the setup guide is clear."
})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewInput {
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 5))]
    pub rating: u8,
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::review_body))]
    pub body: String,
}

/// A change to one's own review (`PATCH /reviews/{id}`); absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"rating": 4})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewChanges {
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 5, value_type = Option<u8>))]
    pub rating: Option<u8>,
    #[serde(default)]
    #[cfg_attr(
        feature = "ssr",
        schema(schema_with = crate::catalog::rules::schema::optional_review_body)
    )]
    pub body: Option<String>,
}

/// The vendor's reply to a review (`POST /reviews/{id}/reply`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"reply": "Thank you! Version 2 adds HubSpot."})))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReplyInput {
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::catalog::rules::schema::reply))]
    pub reply: String,
}

/// How a product's reviews are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReviewSort {
    Newest,
    /// Highest first (or lowest, in ascending order).
    Rating,
}

impl ReviewSort {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "newest" => Some(Self::Newest),
            "rating" => Some(Self::Rating),
            _ => None,
        }
    }
}

/// A product's visible ratings: how many reviews gave each number of stars.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RatingHistogram {
    /// `counts[0]` for 1 star … `counts[4]` for 5 stars.
    pub counts: [i64; 5],
}

impl RatingHistogram {
    pub fn total(&self) -> i64 {
        self.counts.iter().sum()
    }
}

/// Everything the product page shows, in one load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    pub product: Product,
    pub histogram: RatingHistogram,
    /// A page of the visible reviews, newest first.
    pub reviews: crate::platform::types::Page<Review>,
    /// The viewer's own review, if they wrote one.
    pub own_review: Option<Review>,
    /// The viewer bought it and has not reviewed it yet.
    pub may_review: bool,
    /// The viewer sells it (and may reply to reviews).
    pub is_seller: bool,
    pub wishlisted: bool,
    pub signed_in: bool,
    pub related: Vec<Product>,
    /// The site's address (no trailing slash), for absolute links in Open Graph tags.
    pub site_url: String,
}

/// Views of a vendor's products on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyViews {
    /// Days since 1970-01-01.
    pub day: i64,
    pub views: i64,
}

/// What the vendor dashboard shows: the storefront's products (every status) and the views of
/// the last [`DASHBOARD_DAYS`] days, one entry per day (zero included), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VendorDashboard {
    pub store_name: String,
    pub store_slug: String,
    pub products: crate::platform::types::Page<Product>,
    pub views: Vec<DailyViews>,
}

/// How many days the dashboard's chart covers.
pub const DASHBOARD_DAYS: i64 = 30;

/// The vendor's product editor form, as typed (`form[title]`, … in the page): prices in
/// currency units, tags separated by commas; an empty `id` for a new product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    pub id: String,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub description: String,
    pub price: String,
    pub compare_at: String,
    pub category_id: String,
    pub tags: String,
}

/// What the home page shows from the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeCatalog {
    pub featured: Vec<Product>,
    pub newest: Vec<Product>,
    pub popular: Vec<Product>,
    /// The top-level categories.
    pub categories: Vec<Category>,
}

/// Which products the staff review queue lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    /// Only products in this state (all when `None`).
    pub status: Option<ProductStatus>,
    /// Only this storefront's (its slug).
    pub vendor: Option<String>,
    /// Only this category's, its subcategories included (its slug).
    pub category: Option<String>,
}

impl QueueFilter {
    pub fn status(status: Option<ProductStatus>) -> Self {
        Self {
            status,
            ..Self::default()
        }
    }
}

/// A file a product delivers to its buyers, as its vendor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProductFile {
    pub id: Id,
    /// The name buyers download it under.
    pub name: String,
    pub bytes: u64,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::ProductImage;

    fn image(width: u32, height: u32, thumbnail: &str) -> ProductImage {
        ProductImage {
            id: crate::platform::types::Id::random(),
            url: "/media/a.png".to_owned(),
            thumbnail_url: thumbnail.to_owned(),
            width,
            height,
            alt: String::new(),
        }
    }

    #[test]
    fn a_srcset_names_the_thumbnail_by_its_real_width() {
        assert_eq!(
            image(800, 500, "/media/a-thumb.jpg").srcset(),
            "/media/a-thumb.jpg 480w, /media/a.png 800w"
        );
        assert_eq!(
            image(500, 1000, "/media/a-thumb.jpg").srcset(),
            "/media/a-thumb.jpg 240w, /media/a.png 500w"
        );
        // No thumbnail yet, or none smaller than the image: the image alone.
        assert_eq!(
            image(800, 500, "/media/a.png").srcset(),
            "/media/a.png 800w"
        );
        assert_eq!(
            image(400, 300, "/media/a-thumb.jpg").srcset(),
            "/media/a.png 400w"
        );
    }
}
