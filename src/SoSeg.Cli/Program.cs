namespace SoSeg.Cli;

public static class Program
{
    public static int Main(string[] args) => SosegCli.Run(args);
}
