use super::*;

#[test]
fn secrets_in_free_text_are_masked() {
    let cases = [
        (
            "Server=tcp:db.example.net,1433;Initial Catalog=shop;User ID=sa;Password=hunter2;Encrypt=True",
            "Server=tcp:db.example.net,1433;Initial Catalog=shop;User ID=***;Password=***;Encrypt=True",
        ),
        (
            "keyword 'x' in 'Data Source=db;uid=web;PWD = p@ss w0rd'",
            "keyword 'x' in 'Data Source=db;uid=***;PWD = ***'",
        ),
        (
            "Server=x;User Id=sa;Password=p@ss;Pwd=q 'AccountKey=abc=='",
            "Server=x;User Id=***;Password=***;Pwd=***'AccountKey=***'",
        ),
        // A quoted value is masked to its closing quote, `;` and all.
        ("Password='a;b c';Server=x", "Password='***';Server=x"),
        (
            r#"<add name="Db" connectionString="Server=x;Password=p" />"#,
            r#"<add name="Db" connectionString="Server=x;Password=***" />"#,
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc+def==;EndpointSuffix=core.windows.net",
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;EndpointSuffix=core.windows.net",
        ),
        (
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=k3y=",
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=***",
        ),
        (
            "SharedAccessSignature=sv=2020&sig=abc",
            "SharedAccessSignature=***&sig=***",
        ),
        (
            "https://x.blob.core.windows.net/c?sv=1&sig=abc%2F",
            "https://x.blob.core.windows.net/c?sv=1&sig=***",
        ),
        (
            "redis://admin:s3cret@cache:6379",
            "redis://admin:***@cache:6379",
        ),
        // Environment variables as ANCM and apps print them.
        (
            "ConnectionStrings__Db=Server=db;Password=pw1, Smtp__Password=pw2",
            "ConnectionStrings__Db=Server=db;Password=***",
        ),
        ("ApiKey=k-123;Region=eu", "ApiKey=***;Region=eu"),
        ("Payments:ApiKey = k-123", "Payments:ApiKey = ***"),
        (
            "client_secret=abc&grant_type=x",
            "client_secret=***&grant_type=x",
        ),
        ("access_token=abc&x=1", "access_token=***&x=1"),
        (
            "machineKey validationKey=ABCD",
            "machineKey validationKey=***",
        ),
        // Header lines and bearer tokens.
        (
            "Host: shop\r\nAuthorization: Basic dXNlcjpwYXNz\r\nAccept: */*",
            "Host: shop\r\nAuthorization: Basic ***\r\nAccept: */*",
        ),
        (
            "Proxy-Authorization: Negotiate YIIx",
            "Proxy-Authorization: Negotiate ***",
        ),
        ("Cookie: .AspNetCore.Session=abc", "Cookie: ***"),
        (
            "sent 'Bearer eyJhbGci.x.y' to the API",
            "sent 'Bearer ***' to the API",
        ),
        // PHP's stack traces print the arguments of the connect call.
        (
            "#0 /site/db.php(12): PDO->__construct('mysql:host=db', 'root', 'pw') #1 {main}",
            "#0 /site/db.php(12): PDO->__construct(***) #1 {main}",
        ),
        ("mysqli_connect('db', 'root', 'pw", "mysqli_connect(***"),
        // Not keys: a GUID, a word that ends in one, a login error naming its user.
        ("guid=1;Rebuild=2", "guid=1;Rebuild=2"),
        (
            "Login failed for user 'shop_web'.",
            "Login failed for user 'shop_web'.",
        ),
        ("no secret here; x=1", "no secret here; x=1"),
        ("Password=", "Password="),
        ("Caf\u{e9} password=\u{e9}t\u{e9}", "Caf\u{e9} password=***"),
    ];
    for (input, want) in cases {
        assert_eq!(mask(input), want, "{input}");
    }
}

#[test]
fn quoted_configuration_lines_keep_names_and_lose_secrets() {
    let cases = [
        (
            r#"<add name="Db" connectionString="Data Source=x;Integrated Security=SSPI" />"#,
            r#"<add name="Db" connectionString="***" />"#,
        ),
        (
            r#"<add key="Payments:ApiKey" value="k-123" />"#,
            r#"<add key="Payments:ApiKey" value="***" />"#,
        ),
        (
            r#"<processModel identityType="SpecificUser" userName="svc" password="[enc:AesProvider:x:enc]" />"#,
            r#"<processModel identityType="SpecificUser" userName="svc" password="***" />"#,
        ),
        (
            r#"<machineKey validationKey='AB12' decryptionKey='CD34' validation="SHA1" />"#,
            r#"<machineKey validationKey='***' decryptionKey='***' validation="SHA1" />"#,
        ),
        (
            r#"<network host="smtp" smtpPassword = "x" />"#,
            r#"<network host="smtp" smtpPassword = "***" />"#,
        ),
        (
            "  <CipherValue>AQAAANCM</CipherValue>",
            "  <CipherValue>***</CipherValue>",
        ),
        // A wrapped cipher value: its middle and its end.
        ("    AQAAANCMnd8BFdERjHoAwE", "***"),
        ("nd8BFdERjHoAwE==</CipherValue>", "***</CipherValue>"),
        // Attributes wrapped onto a line of their own.
        (
            r#"      password="pw" path="/a>b" />"#,
            r#"      password="***" path="/a>b" />"#,
        ),
        ("   <rewrite>", "   <rewrite>"),
        (
            r#"<add name="aspNetCore" path="*" />"#,
            r#"<add name="aspNetCore" path="*" />"#,
        ),
        ("", ""),
    ];
    for (input, want) in cases {
        assert_eq!(mask_config_line(input), want, "{input}");
    }
}

#[test]
fn masking_never_panics_on_cut_or_odd_text() {
    for text in [
        "password",
        "password=",
        "password='",
        "=\"",
        "<",
        ">",
        "<a b='",
        "Bearer ",
        "bearer",
        "Authorization:",
        "cookie:\n",
        "://",
        "x://a:@b",
        "é=é;pwd=é",
        "\u{0}\u{1b}[31m",
    ] {
        let _ = mask(text);
        let _ = mask_config_line(text);
    }
}

/// The marker values (`S3CRET-...`) in `text`: every secret of `testdata/secrets` is one.
fn markers(text: &str) -> Vec<String> {
    text.split("S3CRET-")
        .skip(1)
        .map(|rest| {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(rest.len());
            format!("S3CRET-{}", &rest[..end])
        })
        .collect()
}

/// What each reader keeps of one file of `testdata/secrets`, as its Debug (and, where it
/// has one, its JSON) form shows it.
fn kept(name: &str, bytes: &[u8]) -> String {
    match name {
        "applicationHost.config" | "web.config" => {
            let file = crate::input::config::read_config(bytes).unwrap();
            // Debug shows every field; the saved summary holds the serialised parts.
            let parts = (
                &file.sites,
                &file.pools,
                &file.pool_defaults,
                &file.asp_net_core,
            );
            let more = (
                &file.fast_cgi,
                &file.proxy_timeouts,
                &file.execution_timeouts,
            );
            let json = serde_json::to_string(&(parts, more)).unwrap();
            format!("{file:?}\n{json}")
        }
        "stdout_20261201101500_5150.log" => {
            format!("{:?}", crate::input::stdout::read_stdout(bytes).unwrap())
        }
        "aspnetcore-debug.log" => format!("{:?}", crate::input::ancm::read_ancm(bytes).unwrap()),
        "eventlog.xml" => {
            let mut events = Vec::new();
            crate::input::eventlog::read_xml(bytes, |e| events.push(e)).unwrap();
            format!("{events:?}\n{}", serde_json::to_string(&events).unwrap())
        }
        "php_errors.log" => {
            let mut entries = Vec::new();
            crate::input::php::read_php(bytes, |e| entries.push(format!("{e:?}"))).unwrap();
            entries.join("\n")
        }
        "ErrorPage00001.htm" => format!("{:?}", crate::input::errorpage::parse(bytes).unwrap()),
        "fr000001.xml" => format!("{:?}", crate::input::freb::read_trace(bytes, true).unwrap()),
        other => panic!("no reader named for testdata/secrets/{other}"),
    }
}

#[test]
fn no_reader_keeps_a_secret_of_the_secrets_tree() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/secrets");
    let files = [
        "applicationHost.config",
        "web.config",
        "stdout_20261201101500_5150.log",
        "aspnetcore-debug.log",
        "eventlog.xml",
        "php_errors.log",
        "ErrorPage00001.htm",
        "FailedReqLogFiles/W3SVC1/fr000001.xml",
    ];
    for file in files {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let planted = markers(&String::from_utf8_lossy(&bytes));
        assert!(!planted.is_empty(), "{file} holds no marker");
        let name = file.rsplit('/').next().unwrap_or(file);
        let shown = kept(name, &bytes);
        // The reader kept something of the file: its output is not empty.
        assert!(shown.len() > 100, "{file}: {shown}");
        for marker in planted {
            assert!(
                !shown.contains(&marker),
                "{file}: the reader kept {marker}: {shown}"
            );
        }
    }
}

#[test]
fn a_value_without_the_byte_each_secret_needs_is_left_as_it_is() {
    // Nothing to mask, and nothing copied: no `=`, `:`, `(` or space.
    for plain in [
        "",
        "0",
        "GET",
        "/api/orders/17",
        "2147954402",
        "AspNetCoreModuleV2",
    ] {
        assert!(matches!(mask(plain), Cow::Borrowed(_)), "{plain}");
    }
    // Each kind is still found by the byte it needs.
    for (text, kept) in [
        ("Password=hunter2", "hunter2"),
        ("https://sa:hunter2@db", "hunter2"),
        ("Cookie: session=hunter2", "hunter2"),
        ("Bearer hunter2", "hunter2"),
        ("mysqli_connect(h,u,hunter2)", "hunter2"),
    ] {
        let masked = mask(text);
        assert!(!masked.contains(kept), "{text} -> {masked}");
    }
}

/// Every secret key's occurrences, each searched for on its own: what `keyed_values` found
/// before it looked at each `=` once instead.
fn keyed_values_key_by_key(lower: &str) -> Vec<(usize, usize)> {
    let bytes = lower.as_bytes();
    let mut cuts = Vec::new();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(at) = lower[from..].find(key).map(|i| i + from) {
            from = at + key.len();
            let eq = skip_spaces(bytes, from);
            if !key_starts(bytes, at) || bytes.get(eq) != Some(&b'=') {
                continue;
            }
            if let Some(span) = value_at(bytes, skip_spaces(bytes, eq + 1)) {
                cuts.push(span);
            }
        }
    }
    cuts
}

#[test]
fn keys_found_from_each_equals_sign_are_the_keys_searched_one_by_one() {
    // Pieces that make keys, near-keys, separators and values, joined in many orders.
    let pieces = [
        "password",
        "pwd",
        "user id",
        "userid",
        "uid",
        "user",
        "access_token",
        "token",
        "sig",
        "mysig",
        "x",
        "smtp__",
        "=",
        " =",
        "= ",
        "  ",
        ";",
        "&",
        "\"",
        "'",
        "a b",
        "(",
        ".",
        "\n",
        "secretkey",
        "apikey",
        "api-key",
        "id_token",
        "",
        "==",
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..(state % 9) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(pieces[(state % pieces.len() as u64) as usize]);
        }
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut want = keyed_values_key_by_key(&text);
        let mut got = keyed_values(&text);
        want.sort_unstable();
        want.dedup();
        got.sort_unstable();
        got.dedup();
        assert_eq!(got, want, "{text:?}");
    }
}
