//! The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the chosen profile's `region`.

use crate::profile::ProfileFileError;
use crate::ProviderConfig;

pub fn region(config: &ProviderConfig) -> Result<Option<String>, ProfileFileError> {
    let env = config.env();
    if let Some(region) = env.get("AWS_REGION").or_else(|| env.get("AWS_DEFAULT_REGION")) {
        return Ok(Some(region.trim().to_owned()));
    }
    let profiles = config.profiles()?;
    let region = profiles.profile(&config.profile_name()).and_then(|profile| profile.get("region"));
    Ok(region.map(str::to_owned))
}
