//! TLS against the mock DSM over HTTPS, with a CA and a server certificate generated here (as
//! DSM ships: its own CA signing the box's certificate). Verification is on by default; the
//! extra root and the explicit switch are the two ways past it.

#![cfg(all(feature = "mock", feature = "cloud-sync"))]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use synology_client::mock::{DEMO_PASSWORD, DEMO_USER, MockConfig, MockDsm};
use synology_client::{Client, Error};

struct Pki {
    ca_pem: String,
    chain_pem: String,
    key_pem: String,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Synology Inc. CA (test)");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "synology");
    let cert = params.signed_by(&key, &issuer).unwrap();
    Pki {
        ca_pem: ca.pem(),
        chain_pem: format!("{}{}", cert.pem(), ca.pem()),
        key_pem: key.serialize_pem(),
    }
}

async fn https_mock(pki: &Pki) -> MockDsm {
    let dsm = MockDsm::start_with(MockConfig::dsm7().tls(&pki.chain_pem, &pki.key_pem))
        .await
        .unwrap();
    assert!(dsm.url().starts_with("https://127.0.0.1:"), "{}", dsm.url());
    dsm
}

#[tokio::test]
async fn an_unknown_certificate_is_refused_by_default() {
    let pki = pki();
    let dsm = https_mock(&pki).await;
    let client = Client::builder(dsm.url()).build().unwrap();
    let err = client.login(DEMO_USER, DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let chain = format!("{:?}", std::error::Error::source(&err));
    assert!(
        chain.to_lowercase().contains("certificate"),
        "a TLS error: {chain}"
    );
    assert!(dsm.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn the_nas_root_certificate_makes_it_trusted() {
    let pki = pki();
    let dsm = https_mock(&pki).await;
    let client = Client::builder(dsm.url())
        .add_root_certificate_pem(pki.ca_pem.as_bytes())
        .build()
        .unwrap();
    client
        .login(DEMO_USER, DEMO_PASSWORD)
        .await
        .expect("trusted via the extra root");
    client
        .cloud_sync()
        .connection()
        .list()
        .send()
        .await
        .expect("calls over HTTPS");
}

#[tokio::test]
async fn the_explicit_switch_accepts_any_certificate() {
    let pki = pki();
    let dsm = https_mock(&pki).await;
    let client = Client::builder(dsm.url())
        .danger_accept_invalid_certificates(true)
        .build()
        .unwrap();
    client
        .login(DEMO_USER, DEMO_PASSWORD)
        .await
        .expect("accepted by explicit opt-out");
}

#[tokio::test]
async fn another_ca_is_still_refused() {
    let (pki, other) = (pki(), pki());
    let dsm = https_mock(&pki).await;
    let client = Client::builder(dsm.url())
        .add_root_certificate_pem(other.ca_pem.as_bytes())
        .build()
        .unwrap();
    assert!(matches!(
        client.login(DEMO_USER, DEMO_PASSWORD).await,
        Err(Error::Transport { .. })
    ));
}

#[test]
fn a_bad_pem_is_a_config_error() {
    let err = Client::builder("https://nas.local")
        .add_root_certificate_pem(b"not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
