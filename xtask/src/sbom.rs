//! The bill of materials of a download: a CycloneDX 1.5 document naming every Rust crate built
//! into the program and every model embedded in it, each with its version, source, licence and
//! SHA-256, and which crate uses which.

use crate::cargo::{Crate, Workspace};
use crate::licences::Model;
use crate::{archive, hex, Platform};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// The bill of materials of `program` as built for `platform`.
pub fn document(
    workspace: &Workspace,
    platform: &Platform,
    program: &[u8],
    models: &[Model],
    crates: &[Crate],
) -> Result<Value, String> {
    let postsafe_ref = format!("pkg:cargo/postsafe@{}", workspace.version);
    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    for krate in crates {
        let purl = purl(krate);
        let uses: Vec<String> = krate.uses.iter().map(|key| format!("pkg:cargo/{key}")).collect();
        if purl == postsafe_ref {
            let models = models.iter().map(|m| format!("model:{}", m.file));
            dependencies
                .push(json!({"ref": purl, "dependsOn": uses.into_iter().chain(models).collect::<Vec<_>>()}));
            continue;
        }
        dependencies.push(json!({"ref": purl, "dependsOn": uses}));
        let mut component = json!({
            "type": "library",
            "bom-ref": purl,
            "name": krate.name,
            "version": krate.version,
            "purl": purl,
            "licenses": licences(krate.licence.as_deref()),
        });
        if let Some(sum) = &krate.checksum {
            component["hashes"] = json!([{"alg": "SHA-256", "content": sum}]);
        }
        let mut references = Vec::new();
        if krate.source.as_deref() == Some(CRATES_IO) {
            let url = format!("https://crates.io/crates/{}/{}", krate.name, krate.version);
            references.push(json!({"type": "distribution", "url": url}));
        }
        if let Some(repository) = &krate.repository {
            references.push(json!({"type": "vcs", "url": repository}));
        }
        if !references.is_empty() {
            component["externalReferences"] = json!(references);
        }
        components.push(component);
    }
    for model in models {
        let (package, version) = model.package();
        let package = package.to_ascii_lowercase().replace('_', "-");
        components.push(json!({
            "type": "machine-learning-model",
            "bom-ref": format!("model:{}", model.file),
            "name": model.file,
            "version": version,
            "description": format!("the {} built into postsafe", model.what),
            "purl": format!("pkg:pypi/{package}@{version}#{}", model.member),
            "hashes": [{"alg": "SHA-256", "content": model.sha256}],
            "licenses": licences(Some(model.licence()?.spdx)),
            "externalReferences": [{"type": "distribution", "url": format!("https://pypi.org/project/{package}/{version}/")}],
            "properties": [
                {"name": "postsafe:wheel", "value": model.wheel_file},
                {"name": "postsafe:member", "value": model.member},
            ],
        }));
    }
    let program_sha = hex(&Sha256::digest(program));
    Ok(json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": serial_number(&program_sha, platform.triple),
        "version": 1,
        "metadata": {
            "timestamp": archive::timestamp(),
            "tools": {"components": [{"type": "application", "name": "cargo xtask dist"}]},
            "component": {
                "type": "application",
                "bom-ref": postsafe_ref,
                "name": "postsafe",
                "version": workspace.version,
                "purl": postsafe_ref,
                "licenses": licences(Some("MIT OR Apache-2.0")),
                "hashes": [{"alg": "SHA-256", "content": program_sha}],
                "properties": [
                    {"name": "postsafe:target", "value": platform.triple},
                    {"name": "postsafe:file", "value": platform.exe},
                ],
            },
        },
        "components": components,
        "dependencies": dependencies,
    }))
}

fn purl(krate: &Crate) -> String {
    format!("pkg:cargo/{}@{}", krate.name, krate.version)
}

/// A licence as CycloneDX writes an SPDX expression; old crates write `MIT/Apache-2.0` for
/// `MIT OR Apache-2.0`.
fn licences(spdx: Option<&str>) -> Value {
    match spdx {
        Some(expression) => json!([{"expression": expression.replace('/', " OR ")}]),
        None => json!([]),
    }
}

/// A name-based UUID for the document, from the program it describes: the same program gets
/// the same serial number.
fn serial_number(program_sha: &str, triple: &str) -> String {
    let mut bytes: [u8; 16] =
        Sha256::digest(format!("{program_sha} {triple}"))[..16].try_into().expect("16 bytes");
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex(&bytes);
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
