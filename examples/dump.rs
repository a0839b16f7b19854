fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let profile = args.get(2).map(|s| s.parse().unwrap()).unwrap_or_default();
    let version = args.get(3).map(|s| s.parse().unwrap()).unwrap_or_default();
    let engine = kubeharden::Engine::new(kubeharden::Options {
        profile,
        version,
        ..Default::default()
    });
    let r = engine.check(&[kubeharden::Source::new(&args[1], text)]);
    for f in &r.findings {
        eprintln!(
            "{} {:?} {} {} {:?}",
            f.rule,
            f.pss.as_ref().map(|p| &p.check),
            f.path,
            f.message,
            f.span
        );
    }
    for e in &r.errors {
        eprintln!("ERR {:?}", e);
    }
    for e in &r.notes {
        eprintln!("NOTE {:?}", e);
    }
}
