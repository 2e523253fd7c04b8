Console.WriteLine("QuickStart: under construction");
