//! The Smithy JSON AST slice of ListBackendJobs lowers to the same IR as the botocore model and
//! generates the same files; the one difference between the models is kept and checked.

use awsgen_codegen::{CrateSpec, InputFile, Selection};
use std::path::Path;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).expect("spec file")
}

fn spec<'a>(model: &'a str, contents: &'a [u8], paginators: &'a [u8]) -> CrateSpec<'a> {
    CrateSpec {
        paginators: Some(InputFile { path: "specs/amplifybackend/paginators-1.json", contents: paginators }),
        operations: Selection::Only(["ListBackendJobs".to_owned()].into()),
        runtime_dependency: "{ path = \"../../runtime\" }",
        standalone: false,
        ..CrateSpec::new("awsgen-amplifybackend", InputFile { path: model, contents })
    }
}

const BOTOCORE: &str = "specs/amplifybackend/service-2.json";
const SMITHY: &str = "specs/amplifybackend/listbackendjobs.smithy.json";

#[test]
fn both_formats_lower_to_the_same_ir() {
    let (botocore_bytes, smithy_bytes, pagers) =
        (read(BOTOCORE), read(SMITHY), read("specs/amplifybackend/paginators-1.json"));
    let mut from_botocore = awsgen_codegen::lower(&spec(BOTOCORE, &botocore_bytes, &pagers)).unwrap().0.ir;
    let mut from_smithy = awsgen_codegen::lower(&spec(SMITHY, &smithy_bytes, &pagers)).unwrap().0.ir;

    // Where each shape is written differs by format; it only serves diagnostics.
    from_botocore.source = Default::default();
    from_smithy.source = Default::default();

    // The one difference in the models themselves: Smithy marks GatewayTimeoutException as a
    // server fault, botocore has no such flag on it. It is kept in the IR.
    let fault = |service: &awsgen_codegen::ir::Service, id: &str| match &service.shapes[id].kind {
        awsgen_codegen::ir::ShapeKind::Structure(s) => s.error.as_ref().map(|e| e.server_fault),
        _ => None,
    };
    for id in ["BadRequestException", "NotFoundException", "TooManyRequestsException"] {
        assert_eq!((fault(&from_botocore, id), fault(&from_smithy, id)), (Some(false), Some(false)), "{id}");
    }
    assert_eq!(fault(&from_botocore, "GatewayTimeoutException"), Some(false));
    assert_eq!(fault(&from_smithy, "GatewayTimeoutException"), Some(true));
    if let awsgen_codegen::ir::ShapeKind::Structure(s) =
        &mut from_smithy.shapes.get_mut("GatewayTimeoutException").unwrap().kind
    {
        s.error.as_mut().unwrap().server_fault = false;
    }

    assert_eq!(from_botocore, from_smithy);
}

#[test]
fn both_formats_generate_the_same_files() {
    let (botocore_bytes, smithy_bytes, pagers) =
        (read(BOTOCORE), read(SMITHY), read("specs/amplifybackend/paginators-1.json"));
    let from_botocore = awsgen_codegen::generate(&spec(BOTOCORE, &botocore_bytes, &pagers)).unwrap();
    let from_smithy = awsgen_codegen::generate(&spec(SMITHY, &smithy_bytes, &pagers)).unwrap();
    assert_eq!(from_botocore.files.keys().collect::<Vec<_>>(), from_smithy.files.keys().collect::<Vec<_>>());
    for (path, botocore_text) in &from_botocore.files {
        let smithy_text = &from_smithy.files[path];
        // Only the manifest's header differs: it names the model file, and no other file does.
        if path == "Cargo.toml" {
            assert!(smithy_text.lines().next().unwrap().contains(SMITHY), "{path}");
            let body = |text: &str| text.split_once('\n').map(|(_, rest)| rest.to_owned()).unwrap_or_default();
            assert_eq!(body(botocore_text), body(smithy_text), "{path}");
        } else {
            assert_eq!(botocore_text, smithy_text, "{path}");
        }
    }
}
