fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let opts = kubeharden::fix::FixOptions {
        unsafe_fixes: true,
        ..Default::default()
    };
    let r = kubeharden::fix::fix(&text, &opts);
    print!("{}", r.text);
    for (i, round) in r.rounds.iter().enumerate() {
        eprintln!(
            "round {i}: {:?}",
            round
                .iter()
                .map(|e| (e.span.start, e.span.end, e.text.clone()))
                .collect::<Vec<_>>()
        );
    }
    for a in &r.applied {
        eprintln!("applied {} {}", a.rule, a.path);
    }
    eprintln!("skipped {:?}", r.skipped);
}
