use clap::Parser;

fn main() {
    let cli = mend::cli::Cli::parse();
    std::process::exit(mend::cli::run(cli));
}
